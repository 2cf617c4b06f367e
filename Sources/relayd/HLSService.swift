import Media
import ServiceLifecycle

/// The HLS packager as a service: its variants start with the clients that fetch them; at
/// shutdown this stops them and waits for their tasks.
struct HLSService: Service {
    let packager: HLSPackager

    func run() async throws {
        try? await gracefulShutdown()
        await packager.shutdown()
    }
}
