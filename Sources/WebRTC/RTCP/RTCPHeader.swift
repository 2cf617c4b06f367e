import NIOCore

/// The 4-byte header common to every RTCP packet (RFC 3550 §6.4): version, padding, a 5-bit
/// count (reports, sources, or the feedback message type), packet type, length in 32-bit
/// words minus one.
struct RTCPHeader: Sendable, Equatable {
    var hasPadding: Bool
    /// RC, SC or FMT, depending on the packet type.
    var count: UInt8
    var packetType: UInt8
    /// Bytes of the whole packet, header included: `(length field + 1) * 4`.
    var packetSize: Int

    static let size = 4

    /// Packet types (RFC 3550, RFC 4585, RFC 3611).
    enum PacketType {
        static let senderReport: UInt8 = 200
        static let receiverReport: UInt8 = 201
        static let sourceDescription: UInt8 = 202
        static let goodbye: UInt8 = 203
        static let application: UInt8 = 204
        static let transportFeedback: UInt8 = 205
        static let payloadFeedback: UInt8 = 206
        static let extendedReport: UInt8 = 207
    }

    /// Parses the header at `offset` (an absolute index into `buffer`).
    static func parse(_ buffer: ByteBuffer, at offset: Int) throws(RTCPError) -> RTCPHeader {
        guard buffer.writerIndex - offset >= size,
            let first = buffer.getInteger(at: offset, as: UInt8.self),
            let packetType = buffer.getInteger(at: offset + 1, as: UInt8.self),
            let words = buffer.getInteger(at: offset + 2, as: UInt16.self)
        else { throw .truncated }
        let version = first >> 6
        guard version == 2 else { throw .unsupportedVersion(version) }
        return RTCPHeader(
            hasPadding: first & 0x20 != 0,
            count: first & 0x1F,
            packetType: packetType,
            packetSize: (Int(words) + 1) * 4
        )
    }

    /// Writes a header with a zero length and returns where it starts; `finish` fills in the
    /// length once the body (a whole number of 32-bit words) is written.
    static func begin(count: UInt8, packetType: UInt8, in buffer: inout ByteBuffer) -> Int {
        let start = buffer.writerIndex
        buffer.writeInteger(2 << 6 | count & 0x1F)
        buffer.writeInteger(packetType)
        buffer.writeInteger(UInt16(0))
        return start
    }

    /// Pads the packet begun at `start` to a 32-bit boundary and writes its length field.
    static func finish(at start: Int, in buffer: inout ByteBuffer) {
        let padding = (4 - (buffer.writerIndex - start) % 4) % 4
        buffer.writeRepeatingByte(0, count: padding)
        let words = (buffer.writerIndex - start) / 4 - 1
        buffer.setInteger(UInt16(truncatingIfNeeded: words), at: start + 2)
    }
}
