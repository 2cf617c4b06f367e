public import NIOCore

/// An FLV video tag body carrying H.264 (Adobe FLV v10.1, E.4.3.1): the frame type and codec
/// byte, `AVCPacketType`, the signed 24-bit composition time offset, then the body (an
/// AVCDecoderConfigurationRecord or AVCC NAL units), a slice of the message's payload.
public struct AVCVideoTag {
    public enum PacketType: UInt8, Sendable {
        case sequenceHeader = 0
        case nalUnits = 1
        case endOfSequence = 2
    }

    public let packetType: PacketType
    /// Milliseconds from the decoding time to the presentation time (negative in edge cases).
    public let compositionOffset: Int32
    public let body: ByteBuffer

    /// Reads `payload`; nil when it is not an H.264 tag (another codec, a command frame, or too short).
    public init?(_ payload: ByteBuffer) {
        var payload = payload
        guard let first = payload.readInteger(as: UInt8.self), first & 0x0F == 7, first & 0xF0 != 0x50,
            let type = payload.readInteger(as: UInt8.self).flatMap(PacketType.init(rawValue:)),
            let high = payload.readInteger(as: UInt16.self), let low = payload.readInteger(as: UInt8.self)
        else { return nil }
        var offset = Int32(high) << 8 | Int32(low)
        if offset & 0x80_0000 != 0 { offset -= 0x100_0000 }
        packetType = type
        compositionOffset = offset
        body = payload
    }
}
