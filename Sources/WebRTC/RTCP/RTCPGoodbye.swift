import NIOCore

/// RTCP BYE (RFC 3550 §6.6): sources leaving, with an optional reason.
public struct RTCPGoodbye: Sendable, Equatable {
    public var ssrcs: [UInt32]
    public var reason: String?

    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = ssrcs
        self.reason = reason
    }

    static func parse(body: ByteBuffer, count: UInt8) throws(RTCPError) -> RTCPGoodbye {
        let type = RTCPHeader.PacketType.goodbye
        let start = body.readerIndex
        guard body.readableBytes >= 4 * Int(count) else { throw .countExceedsLength(packetType: type) }
        var ssrcs: [UInt32] = []
        ssrcs.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            guard let ssrc = body.getInteger(at: start + 4 * index, as: UInt32.self) else {
                throw .countExceedsLength(packetType: type)
            }
            ssrcs.append(ssrc)
        }
        var reason: String?
        let reasonAt = start + 4 * Int(count)
        if let length = body.getInteger(at: reasonAt, as: UInt8.self), length > 0 {
            guard let text = body.getString(at: reasonAt + 1, length: Int(length)) else { throw .malformed(packetType: type) }
            reason = text
        }
        return RTCPGoodbye(ssrcs: ssrcs, reason: reason)
    }

    func write(into buffer: inout ByteBuffer) {
        let written = ssrcs.prefix(31)
        let start = RTCPHeader.begin(count: UInt8(written.count), packetType: RTCPHeader.PacketType.goodbye, in: &buffer)
        for ssrc in written {
            buffer.writeInteger(ssrc)
        }
        if let reason, !reason.isEmpty {
            let bytes = reason.utf8.prefix(255)
            buffer.writeInteger(UInt8(bytes.count))
            buffer.writeBytes(bytes)
        }
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
