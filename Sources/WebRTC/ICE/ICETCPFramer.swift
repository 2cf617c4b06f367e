public import NIOCore

/// RFC 4571 framing as ICE-TCP uses it (RFC 6544): each STUN, DTLS, RTP or RTCP packet is
/// preceded by its length as a 16-bit big-endian integer.
///
/// As a `ByteToMessageDecoder` (wrap in `ByteToMessageHandler`) it turns bytes arriving in
/// any split into whole packets, each a `ByteBuffer` slice; ``nextPacket(from:)`` does the same
/// without a channel. ``frame(_:into:)`` writes the other direction.
public struct ICETCPFramer: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = ByteBuffer

    /// A 1500-byte MTU's datagram plus room for TURN/DTLS overhead and jumbo RTP.
    public static let defaultMaxPacketLength = 2048

    public let maxPacketLength: Int

    /// `maxPacketLength` is clamped to 1...65535, what a 16-bit prefix can say.
    public init(maxPacketLength: Int = ICETCPFramer.defaultMaxPacketLength) {
        self.maxPacketLength = min(max(maxPacketLength, 1), Int(UInt16.max))
    }

    /// Takes the next whole packet off `buffer`, or returns nil (consuming nothing) if it has
    /// not all arrived. Throws on a zero or over-limit length as soon as the prefix is in.
    public func nextPacket(from buffer: inout ByteBuffer) throws(ICETCPFramingError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return nil }
        guard length > 0 else { throw .emptyPacket }
        guard Int(length) <= maxPacketLength else {
            throw .packetTooLarge(length: Int(length), limit: maxPacketLength)
        }
        guard buffer.readableBytes >= 2 + Int(length),
            let packet = buffer.getSlice(at: buffer.readerIndex + 2, length: Int(length))
        else { return nil }
        buffer.moveReaderIndex(forwardBy: 2 + Int(length))
        return packet
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let packet = try nextPacket(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(packet))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // A partial packet left at EOF is dropped, as TCP peers may stop mid-stream.
        return .needMoreData
    }

    /// Appends `packet`'s readable bytes to `out` behind their 16-bit length.
    public static func frame(_ packet: ByteBuffer, into out: inout ByteBuffer) throws(ICETCPFramingError) {
        let length = packet.readableBytes
        guard length > 0 else { throw .emptyPacket }
        guard length <= Int(UInt16.max) else { throw .packetTooLarge(length: length, limit: Int(UInt16.max)) }
        out.writeInteger(UInt16(length))
        out.writeImmutableBuffer(packet)
    }
}
