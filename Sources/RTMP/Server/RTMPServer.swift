import Logging
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
public import RelayCore
public import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// A listener could not bind (port in use, address not available, no permission).
public struct ListenError: Error, CustomStringConvertible {
    public let service: String
    public let host: String
    public let port: Int
    public let underlying: any Error

    public var description: String {
        let reason = (underlying as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(underlying)"
        return "cannot listen for \(service) on \(host):\(port): \(reason)"
    }
}

/// A connection refused by the listener's ``ConnectionLimiter`` (closed at once).
struct ConnectionRefused: Error {
    let reason: ConnectionLimiter.Refusal
}

/// The RTMP listener as a service: binds and accepts until graceful shutdown, then only stops
/// accepting. Its connections outlive it: the relay's core service ends the streams (players are
/// told, publishers closed) and then calls ``closeConnections(grace:)``.
public final class RTMPServer: Service, ConnectionDrain {
    public let host: String
    public let port: Int
    private let group: any EventLoopGroup
    private let session: RTMPSessionContext
    private let onListening: @Sendable (SocketAddress) -> Void
    /// Names the listener in errors and logs ("rtmp", "rtmps").
    public let service: String
    /// Runs first on every accepted connection (e.g. adds a TLS handler for RTMPS).
    private let prepare: (@Sendable (any Channel) throws -> Void)?
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    /// Admission control: the configuration's connection limits, total and per IP.
    public let limiter: ConnectionLimiter

    public init(
        host: String, port: Int, group: any EventLoopGroup, session: RTMPSessionContext,
        service: String = "rtmp", limiter: ConnectionLimiter? = nil,
        prepare: (@Sendable (any Channel) throws -> Void)? = nil,
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.group = group
        self.session = session
        self.onListening = onListening
        self.service = service
        self.prepare = prepare
        self.limiter =
            limiter
            ?? ConnectionLimiter(
                transport: "rtmp", maxTotal: session.configuration.maxConnections,
                maxPerAddress: session.configuration.maxConnectionsPerIP, logger: session.logger
            )
    }

    /// Adds the RTMP handlers to a new connection's pipeline.
    public static func configure(_ channel: any Channel, session: RTMPSessionContext) throws {
        let logger = session.logger
        let limit = RTMPMessageLimit(afterAuthorization: session.configuration.maxMessageSize)
        try channel.pipeline.syncOperations.addHandlers([
            RTMPHandshakeHandler(timeout: session.configuration.handshakeTimeout, logger: logger),
            ByteToMessageHandler(RTMPChunkDecoder(limit: limit)),
            RTMPConnectionHandler(context: session, messageLimit: limit),
        ])
    }

    public func run() async throws {
        let session = self.session
        let connections = self.connections
        let limiter = self.limiter
        let prepare = self.prepare
        let server: any Channel
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
                .childChannelOption(.maxMessagesPerRead, value: 4)
                .childChannelInitializer { channel in
                    // Over a limit: closed before any byte is read or any handler allocated.
                    let address = channel.remoteAddress?.ipAddress ?? "?"
                    if let refusal = limiter.admit(address) {
                        return channel.eventLoop.makeFailedFuture(ConnectionRefused(reason: refusal))
                    }
                    channel.closeFuture.whenComplete { _ in limiter.release(address) }
                    let id = ObjectIdentifier(channel)
                    connections.withLockedValue { $0[id] = channel }
                    channel.closeFuture.whenComplete { _ in connections.withLockedValue { _ = $0.removeValue(forKey: id) } }
                    return channel.eventLoop.makeCompletedFuture {
                        try prepare?(channel)
                        try Self.configure(channel, session: session)
                    }
                }
                .bind(host: host, port: port)
                .get()
        } catch {
            throw ListenError(service: service, host: host, port: port, underlying: error)
        }
        if let address = server.localAddress { onListening(address) }

        // Serve until the service group asks us to stop (or cancels us).
        try? await gracefulShutdown()
        session.logger.info("\(service): no longer accepting")
        try? await server.close()
    }

    /// Players told the stream ended close once that is written; what is left after `grace`
    /// (handshakes, idle connections, a peer that reads nothing) is closed here.
    public func closeConnections(grace: Duration) async {
        await waitForConnections(within: grace) { connections.withLockedValue { $0.isEmpty } }
        let open = connections.withLockedValue { Array($0.values) }
        if !open.isEmpty { session.logger.info("\(service): closing \(open.count) remaining connections") }
        for channel in open { try? await channel.close() }
    }
}
