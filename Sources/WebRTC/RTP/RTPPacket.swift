public import NIOCore

/// A parsed RTP packet: its header and its payload with any padding removed. The payload
/// slices the received buffer.
public struct RTPPacket: Sendable, Equatable {
    public var header: RTPHeader
    public var payload: ByteBuffer

    public init(header: RTPHeader, payload: ByteBuffer) {
        self.header = header
        self.payload = payload
    }

    /// Parses one whole RTP packet (after SRTP unprotect).
    public static func parse(_ packet: ByteBuffer) throws(RTPError) -> RTPPacket {
        let (header, headerSize) = try RTPHeader.parse(packet)
        var payloadLength = packet.readableBytes - headerSize
        if header.hasPadding {
            guard payloadLength > 0,
                let count = packet.getInteger(at: packet.writerIndex - 1, as: UInt8.self),
                count > 0, Int(count) <= payloadLength
            else { throw .invalidPadding }
            payloadLength -= Int(count)
        }
        guard let payload = packet.getSlice(at: packet.readerIndex + headerSize, length: payloadLength) else {
            throw .truncated
        }
        return RTPPacket(header: header, payload: payload)
    }

    /// Appends header and payload to `buffer` (padding, if `header.hasPadding`, is the caller's).
    public func write(into buffer: inout ByteBuffer) throws(RTPError) {
        try header.write(into: &buffer)
        buffer.writeImmutableBuffer(payload)
    }
}
