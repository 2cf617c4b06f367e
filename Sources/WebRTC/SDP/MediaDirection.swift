/// A media direction attribute (RFC 8866 6.7), seen from the side that wrote the SDP.
public enum MediaDirection: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    init?(attribute: some StringProtocol) {
        self.init(rawValue: attribute.lowercased())
    }

    /// The direction the other side answers with to accept this one (RFC 3264 6.1).
    var reversed: MediaDirection {
        switch self {
        case .sendrecv: return .sendrecv
        case .sendonly: return .recvonly
        case .recvonly: return .sendonly
        case .inactive: return .inactive
        }
    }

    /// Whether the writer of the SDP sends media in this direction.
    var sends: Bool { self == .sendrecv || self == .sendonly }
    /// Whether the writer of the SDP receives media in this direction.
    var receives: Bool { self == .sendrecv || self == .recvonly }

    public var description: String { rawValue }
}
