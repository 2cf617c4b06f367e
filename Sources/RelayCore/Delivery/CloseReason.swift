/// Why the relay closed a connection: the sentence logs carry and the short label
/// `relay_rtmp_closed_total{reason}` counts, one typed value instead of a string read by prefix.
public enum CloseReason: Sendable, Equatable, CustomStringConvertible {
    /// A player took no data for this long (its outlet's stall timeout).
    case stalled(milliseconds: Int64)
    /// Nothing arrived for this long; `publishing`: from a publisher, else before any role.
    case idle(seconds: Int64, publishing: Bool)
    /// A publisher sent this many bytes of media before its publish was allowed.
    case mediaBeforeAuthorization(bytes: Int)
    /// The peer's socket failed (reset, broken pipe, an I/O error).
    case peerError(String)
    /// The peer broke the protocol (malformed chunks or AMF, unknown message types).
    case protocolError(String)

    /// The metric label: `stall`, `idle`, `pending_overflow`, `peer_error`, `protocol_error`.
    public var metricLabel: String {
        switch self {
        case .stalled: "stall"
        case .idle: "idle"
        case .mediaBeforeAuthorization: "pending_overflow"
        case .peerError: "peer_error"
        case .protocolError: "protocol_error"
        }
    }

    public var description: String {
        switch self {
        case .stalled(let ms): "player accepted no data for \(ms) ms"
        case .idle(let seconds, true): "publisher sent nothing for \(seconds) s"
        case .idle(let seconds, false): "idle for \(seconds) s"
        case .mediaBeforeAuthorization(let bytes): "publisher sent \(bytes) bytes before its publish was authorized"
        case .peerError(let detail), .protocolError(let detail): detail
        }
    }
}
