/// Why a WHEP client could not use an answer or lost its session.
public enum WHEPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The answer is not SDP the client can use; the text says what is wrong.
    case unusableAnswer(String)
    /// No connectivity check was answered in time.
    case iceTimeout
    /// DTLS failed, or the server's certificate does not match the answer's fingerprint.
    case dtls(String)
    /// The server closed DTLS (close_notify).
    case closedByServer

    public var description: String {
        switch self {
        case .unusableAnswer(let reason): "unusable SDP answer: \(reason)"
        case .iceTimeout: "no STUN binding response within the ICE timeout"
        case .dtls(let reason): "DTLS: \(reason)"
        case .closedByServer: "the server closed DTLS (close_notify)"
        }
    }
}
