/// Why the media server could not start.
public enum WebRTCServerError: Error, CustomStringConvertible {
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason): "cannot listen for webrtc on \(host):\(port) (udp): \(reason)"
        }
    }
}
