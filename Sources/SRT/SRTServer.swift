public import Logging
import NIOConcurrencyHelpers
public import RelayCore
public import ServiceLifecycle

/// The SRT listener as a service: binds `host:port` and serves publishers and players on its
/// epoll thread; at graceful shutdown it only stops accepting (callers are refused with 1503).
/// Its connections and thread outlive it: the relay's core service ends the streams, then
/// ``closeConnections(grace:)`` stops and joins the thread and closes what is left.
public final class SRTServer: Service, ConnectionDrain, Sendable {
    public let host: String
    public let port: Int
    private let configuration: SRTConfiguration
    private let registry: StreamRegistry
    private let policy: any AccessPolicy
    private let logger: Logger
    private let renditions: RenditionDirectory?
    private let onListening: @Sendable (String, Int) -> Void
    /// The listener and its thread once `run` has started them, until `closeConnections`.
    private let lifecycle = ListenerLifecycle<SRTEventLoop>()

    public init(
        host: String, port: Int, configuration: SRTConfiguration, registry: StreamRegistry, accessPolicy: any AccessPolicy,
        logger: Logger, renditions: RenditionDirectory? = nil,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }
    ) {
        self.renditions = renditions
        self.host = host
        self.port = port
        self.configuration = configuration
        self.registry = registry
        self.policy = accessPolicy
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        guard lifecycle.begin() else { return }  // closed before it started: nothing to serve
        let admission = SRTAdmission(
            policy: policy, timeout: configuration.authorizationTimeoutSeconds, logger: logger, renditions: renditions
        )
        let listener: SRTListenerSocket
        let loop: SRTEventLoop
        do {
            listener = try SRTListenerSocket(host: host, port: port, configuration: configuration)
            try listener.listen(admission: admission)
            loop = try SRTEventLoop(
                listener: listener, admission: admission, registry: registry, renditions: renditions,
                configuration: configuration, logger: logger
            )
        } catch {
            lifecycle.failedToStart()
            throw SRTListenError(host: host, port: port, underlying: error)
        }
        do {
            try loop.start()
        } catch {
            lifecycle.failedToStart()
            throw SRTListenError(host: host, port: port, underlying: SRTError(operation: "pthread_create", code: error.errno, message: "\(error)"))
        }
        guard lifecycle.serve(loop) else {
            admission.stopAccepting()
            await stop(loop, grace: .zero)
            return
        }
        onListening(host, listener.port)

        try? await gracefulShutdown()
        logger.info("srt: no longer accepting")
        admission.stopAccepting()
    }

    /// Players told the stream ended close on their playout threads; after `grace` the epoll
    /// thread is stopped and joined and the remaining connections closed.
    public func closeConnections(grace: Duration) async {
        // Not started, or still starting (then `run` stops what it started).
        guard let loop = lifecycle.close() else { return }
        await stop(loop, grace: grace)
    }

    private func stop(_ loop: SRTEventLoop, grace: Duration) async {
        await waitForConnections(within: grace) { loop.connectionCount == 0 }
        loop.stop()
        // The join blocks for at most one epoll wait (100 ms): on a GCD thread, not the pool.
        await runBlocking { loop.join() }
        loop.closeAll(reason: "relay shutting down")
    }
}
