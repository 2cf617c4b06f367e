import Logging
import ServiceLifecycle

/// Keeps the control plane's ``TimetableSnapshot`` fresh beyond its own writes (another relayd
/// or a tool writing the same database): a reload every `interval` until shutdown.
public struct TimetableSnapshotService: Service {
    let service: ControlPlaneService
    let interval: Duration
    let logger: Logger

    public init(service: ControlPlaneService, interval: Duration = .seconds(10), logger: Logger) {
        self.service = service
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        let service = self.service
        let interval = self.interval
        let logger = self.logger
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await service.reloadSnapshot()
                    if failing { logger.notice("the timetable snapshot is fresh again") }
                    failing = false
                } catch {
                    // Decisions go on from the last snapshot; said once per outage.
                    if !failing { logger.warning("cannot reload the timetable snapshot; access decisions use the last one", metadata: ["error": "\(error)"]) }
                    failing = true
                }
            }
        }
    }
}
