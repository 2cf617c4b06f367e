import HLS
import Logging
import Media
import RelayCore
import ServiceLifecycle
import Transcode

/// The relay's core as a service: the stream registry's end, the transcoders, the HLS variants,
/// and the connections every listener leaves behind. It comes before the listeners in relayd's
/// group, so it stops after them: they only stop accepting, then this ends every stream once
/// (players told why, publishers closed), stops the transcoders and HLS variants, and has each
/// listener close what is left and join its threads, all at the same time.
struct RelayCoreService: Service {
    let registry: StreamRegistry
    let transcoders: TranscoderPool
    let hls: HLSPackager
    let listeners: [any ConnectionDrain]
    let logger: Logger
    /// How long a connection told that its stream ended may take to write that and close.
    var grace: Duration = .seconds(1)

    func run() async throws {
        try? await gracefulShutdown()
        let started = ContinuousClock.now
        logger.info("ending every stream")
        registry.shutdown(reason: "relay shutting down")
        let transcoders = self.transcoders
        await withTaskGroup(of: Void.self) { group in
            // Joining the transcoders' threads blocks: on a GCD thread, never Swift's pool.
            group.addTask { await runBlocking { transcoders.stopAll() } }
            group.addTask { await hls.shutdown() }
            for listener in listeners {
                group.addTask { await listener.closeConnections(grace: grace) }
            }
        }
        let took = ContinuousClock.now - started
        let ms = took.components.seconds * 1000 + took.components.attoseconds / 1_000_000_000_000_000
        logger.info("core stopped", metadata: ["ms": "\(ms)"])
    }
}
