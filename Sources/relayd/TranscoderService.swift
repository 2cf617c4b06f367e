import Media
import ServiceLifecycle

/// The transcoders as a service: they start with the streams they serve; at shutdown this stops
/// whatever still runs.
struct TranscoderService: Service {
    let pool: TranscoderPool

    func run() async throws {
        try? await gracefulShutdown()
        pool.stopAll()
    }
}
