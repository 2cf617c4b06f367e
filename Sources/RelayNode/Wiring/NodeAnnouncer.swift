import Cluster
import Foundation
import NIOCore
import RTMP

/// What the node says on stdout (each listener's address as bound, where the admin token is)
/// and the ports it records for `/healthz`.
enum NodeAnnouncer {
    /// Every listener's port as bound, for `/healthz`.
    static let listenerPorts = ListenerPorts()

    static func announce(_ name: String, _ address: SocketAddress) {
        if let port = address.port { listenerPorts.record(name, port: port) }
        let host = address.ipAddress ?? "?"
        let shown = address.protocol == .inet6 ? "[\(host)]" : host
        say("listening \(name)=\(shown):\(address.port ?? 0)")
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// One line for why the service group stopped.
    static func describe(_ error: any Error, httpHost: String, httpPort: Int) -> String {
        if let listen = error as? ListenError { return listen.description }
        if let io = error as? IOError {
            // Hummingbird's bind failure.
            return "cannot listen for http on \(httpHost):\(httpPort): \(String(cString: strerror(io.errnoCode)))"
        }
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "stopped on an error"
    }
}
