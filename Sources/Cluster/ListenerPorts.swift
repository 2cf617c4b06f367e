import ControlPlane
import NIOConcurrencyHelpers

/// The ports relayd's listeners bound (`rtmp`, `srt`, `webrtc`, `rtmps`, …), as `GET /healthz`
/// reports them, so a client such as classctl finds a relay on other ports without flags.
public final class ListenerPorts: Sendable {
    private let ports = NIOLockedValueBox<[String: Int]>([:])

    public init() {}

    public func record(_ name: String, port: Int) {
        ports.withLockedValue { $0[name] = port }
    }

    public var all: [String: Int] { ports.withLockedValue { $0 } }
}
