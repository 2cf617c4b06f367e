/// The media type of an m-line (`m=<media> …`).
enum MediaKind: Hashable, Sendable, CustomStringConvertible {
    case audio
    case video
    /// Data channels (`m=application … UDP/DTLS/SCTP webrtc-datachannel`).
    case application
    /// Anything else (`text`, `message`, …), kept as written.
    case other(String)

    init(token: some StringProtocol) {
        switch token.lowercased() {
        case "audio": self = .audio
        case "video": self = .video
        case "application": self = .application
        default: self = .other(String(token))
        }
    }

    /// The token as written in an m-line.
    var token: String {
        switch self {
        case .audio: return "audio"
        case .video: return "video"
        case .application: return "application"
        case .other(let token): return token
        }
    }

    var description: String { token }
}
