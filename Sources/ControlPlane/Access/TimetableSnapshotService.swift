public import Logging
import NIOConcurrencyHelpers
public import ServiceLifecycle

/// Keeps the control plane's ``TimetableSnapshot`` fresh beyond its own writes (another relayd
/// or a tool writing the same database): a reload as soon as another node announces a change
/// (PostgreSQL NOTIFY), and every `interval` for writers that announce nothing, until shutdown.
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
        let failing = NIOLockedValueBox(false)
        // Every `interval`, and at once when any node announces a timetable change.
        await cancelWhenGracefulShutdown {
            await service.changes.run(every: interval, on: .timetable) {
                do {
                    try await service.reloadSnapshot()
                    if failing.withLockedValue({ was in
                        defer { was = false }
                        return was
                    }) {
                        logger.notice("the timetable snapshot is fresh again")
                    }
                } catch {
                    // Decisions go on from the last snapshot; said once per outage.
                    if !failing.withLockedValue({ was in
                        defer { was = true }
                        return was
                    }) {
                        logger.warning("cannot reload the timetable snapshot; access decisions use the last one", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }
}
