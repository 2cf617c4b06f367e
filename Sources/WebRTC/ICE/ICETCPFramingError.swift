/// Why an ICE-TCP stream (RFC 4571 framing) was refused; the connection is closed.
public enum ICETCPFramingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A zero length prefix: no STUN, DTLS or RTP packet is empty.
    case emptyPacket
    /// A length prefix above the limit (the peer is not sending datagram-sized packets).
    case packetTooLarge(length: Int, limit: Int)

    public var description: String {
        switch self {
        case .emptyPacket: return "ICE-TCP frame of length zero"
        case .packetTooLarge(let length, let limit): return "ICE-TCP frame of \(length) bytes exceeds \(limit)"
        }
    }
}
