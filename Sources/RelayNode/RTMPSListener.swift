import NIOCore
import NIOSSL
import RTMP

/// The RTMPS listener: the same RTMP server behind a TLS handler, sharing the plain listener's
/// connection limits (one budget for both ports).
enum RTMPSListener {
    static func make(
        host: String, port: Int, group: any EventLoopGroup, session: RTMPSessionContext, limiter: ConnectionLimiter,
        tls: TLSConfiguration, onListening: @escaping @Sendable (SocketAddress) -> Void
    ) throws -> RTMPServer {
        let context = try NIOSSLContext(configuration: tls)
        return RTMPServer(
            host: host, port: port, group: group, session: session, service: "rtmps", limiter: limiter,
            prepare: { channel in try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) },
            onListening: onListening
        )
    }
}
