public import Foundation
public import Logging
public import RelayCore
public import ServiceLifecycle

/// Records the reports' facts as they happen: every `pollInterval` it reads the stream
/// registry's snapshots (the hot path pays nothing; the live view reads the same), turns them
/// into sessions (``SessionTracker``) and writes them to the store at least every
/// `flushInterval` and at each end; at shutdown every open session ends where it is. Sessions a
/// killed run of this node left open are closed at start where they were last written; facts
/// older than `keepDays` are removed once an hour.
public actor FactsRecorder: Service {
    public struct Settings: Sendable {
        public var nodeId: String
        public var pollInterval: Duration = .seconds(2)
        /// `reports.flushSeconds` (30): what a crash may lose at most.
        public var flushInterval: Duration = .seconds(30)
        /// `reports.keepDays` (0: kept for ever).
        public var keepDays: Int = 730
        public var retentionEvery: Duration = .seconds(3600)
        /// A session belongs to the occurrence whose window (± `auth.windowMinutes`) it starts in.
        public var window: TimeInterval = 15 * 60

        public init(nodeId: String) { self.nodeId = nodeId }
    }

    private let service: ControlPlaneService
    private let registry: StreamRegistry
    public let settings: Settings
    private let logger: Logger
    private var tracker: SessionTracker
    private var failing = false
    private var lastRetention: ContinuousClock.Instant?

    public init(service: ControlPlaneService, registry: StreamRegistry, settings: Settings, logger: Logger) {
        self.service = service
        self.registry = registry
        self.settings = settings
        self.logger = logger
        tracker = SessionTracker(
            settings: .init(
                nodeId: settings.nodeId, pollInterval: Self.seconds(settings.pollInterval),
                flushInterval: Self.seconds(settings.flushInterval)
            ),
            makeID: { Validation.newID(prefix: "ses") }
        )
    }

    public func run() async throws {
        do {
            let closed = try await service.store.endOpenSessions(nodeId: settings.nodeId)
            if closed > 0 {
                logger.notice("sessions left open by a stop of this node were ended where last written", metadata: ["sessions": "\(closed)"])
            }
        } catch {
            logger.error("cannot close the sessions a previous run left open", metadata: ["error": "\(error)"])
        }
        let poll = settings.pollInterval
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.poll()
                try await Task.sleep(for: poll)
            }
        }
        // Shutdown: before the core ends the streams, every open session ends now.
        tracker.observe(FactsObservation(at: Date(), snapshots: registry.snapshots(), sitesOf: sitesOf), occurrence: occurrence)
        tracker.endAll()
        await write(tracker.due(at: Date()) ?? [])
    }

    /// One poll: observe, write what is due, apply retention when due.
    func poll() async {
        let now = Date()
        tracker.observe(FactsObservation(at: now, snapshots: registry.snapshots(), sitesOf: sitesOf), occurrence: occurrence)
        if let rows = tracker.due(at: now) { await write(rows) }
        if settings.keepDays > 0, lastRetention.map({ ContinuousClock.now - $0 >= settings.retentionEvery }) ?? true {
            lastRetention = ContinuousClock.now
            do {
                let removed = try await service.store.deleteSessions(lastSeenBefore: now.addingTimeInterval(-Double(settings.keepDays) * 86400))
                if removed > 0 { logger.info("old report facts removed", metadata: ["sessions": "\(removed)", "keepDays": "\(settings.keepDays)"]) }
            } catch {
                logger.warning("cannot remove old report facts", metadata: ["error": "\(error)"])
            }
        }
    }

    private func write(_ rows: [SessionFact]) async {
        guard !rows.isEmpty else { return }
        do {
            try await service.store.writeSessions(rows)
            if failing {
                failing = false
                logger.notice("report facts are written again")
            }
        } catch {
            tracker.retry(rows)
            if !failing {
                failing = true
                logger.error("cannot write report facts; kept in memory and retried", metadata: ["error": "\(error)"])
            }
        }
    }

    private nonisolated var sitesOf: (String) -> [String]? {
        let classes = service.snapshot.contents.classes
        return { classes[$0]?.siteIds }
    }

    /// The occurrence of `classId` whose window holds `at` (the nearest one if several).
    private nonisolated var occurrence: (String, Date) -> Date? {
        let classes = service.snapshot.contents.classes
        let expansion = service.expansion
        let window = settings.window
        return { classId, at in
            guard let schedule = classes[classId] else { return nil }
            let near = expansion.occurrences(of: schedule, from: at.addingTimeInterval(-window), to: at.addingTimeInterval(window))
            return near.min { Self.distance(at, $0) < Self.distance(at, $1) }?.startsAt
        }
    }

    static func distance(_ at: Date, _ o: Occurrence) -> TimeInterval {
        at < o.startsAt ? o.startsAt.timeIntervalSince(at) : max(at.timeIntervalSince(o.endsAt), 0)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
