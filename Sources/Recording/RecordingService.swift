public import ControlPlane
import Dispatch
public import Foundation
public import Logging
import Metrics
public import RelayCore
public import ServiceLifecycle

/// Records every published occurrence of a class whose `record` is set (名校网络课堂 replay): one
/// recorder per occurrence, subscribed to the class's source stream for as long as the stream
/// lives (a publisher that drops or is taken over within the grace period continues the same
/// recording), the catalogue kept in the store, retention applied, recordings a crash left
/// `recording` marked `interrupted` at start. A Service of relayd's group: it owns every recorder
/// and stops (joins) them all at shutdown, before the listeners end the streams.
public actor RecordingService: Service {
    public struct Settings: Sendable {
        /// Where the files go (`<data-dir>/recordings`).
        public var directory: String
        /// Finished recordings older than this are removed (0: kept until the disk limit).
        public var keepDays: Int = 30
        /// The recordings together stay under this; the oldest finished go first (0: no limit).
        public var maxDiskMB: Int = 0
        /// A recording still running this long after its occurrence's end is ended there.
        public var overrun: TimeInterval = 600
        public var tick: Duration = .seconds(5)
        public var retentionEvery: Duration = .seconds(60)

        public init(directory: String) { self.directory = directory }
    }

    private struct Active {
        var recording: Recording
        let handle: any StreamRecording
        let stream: ObjectIdentifier
        let occurrenceEndsAt: Date
        var flushed: RecordingProgress
    }

    private let service: ControlPlaneService
    private let registry: StreamRegistry
    private let factory: any StreamRecorderFactory
    public let settings: Settings
    private let logger: Logger
    private var active: [String: Active] = [:]
    /// Classes whose recording is being set up (the store is asked; reentrancy guard).
    private var starting: Set<String> = []
    private var stopping = false
    private var lastRetention = ContinuousClock.now
    private let activeGauge = Gauge(label: "relay_recordings_active")
    private let bytesWritten = Counter(label: "relay_recording_bytes_total")
    private let failures = Counter(label: "relay_recording_failures_total")

    public init(service: ControlPlaneService, registry: StreamRegistry, factory: any StreamRecorderFactory, settings: Settings, logger: Logger) {
        self.service = service
        self.registry = registry
        self.factory = factory
        self.settings = settings
        self.logger = logger
    }

    private var store: ControlStore { service.store }

    public func run() async throws {
        await prepare()
        registry.addPublishObserver { [weak self] key, stream in
            let id = ObjectIdentifier(stream)
            Task { await self?.published(key, stream: id) }
        }
        await applyRetention()
        let tick = settings.tick
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: tick)
                await self.tick()
            }
        }
        await stopAll()
    }

    // MARK: Start and end

    /// The directory exists, and what a crash left `recording` is `interrupted`, cut back to its
    /// last complete fragment.
    func prepare() async {
        do {
            try FileManager.default.createDirectory(atPath: settings.directory, withIntermediateDirectories: true)
        } catch {
            logger.error(
                "cannot create the recordings directory; lessons will not be recorded",
                metadata: [
                    "directory": "\(settings.directory)", "error": "\(error.localizedDescription)",
                ])
        }
        guard let left = try? await store.recordings(state: .recording) else { return }
        for recording in left {
            let recovered: (durationMillis: Int64, bytes: Int64)
            if let path = directory.safePath(for: recording.id) {
                recovered = RecordingFiles.recover(path)
            } else {
                recovered = (0, 0)
                logger.warning("a recording row names no file the relay made; no file is touched", metadata: ["recording": "\(recording.id)"])
            }
            let ends = recording.startsAt.addingTimeInterval(Double(recovered.durationMillis) / 1000)
            do {
                try await store.updateRecording(
                    id: recording.id, state: .interrupted, endsAt: ends, durationMillis: recovered.durationMillis, bytes: recovered.bytes
                )
                logger.warning(
                    "recording was interrupted by a stop of the relay; kept up to its last complete fragment",
                    metadata: [
                        "recording": "\(recording.id)", "class": "\(recording.classId)", "seconds": "\(recovered.durationMillis / 1000)",
                    ])
            } catch {
                logger.error("cannot mark an interrupted recording", metadata: ["recording": "\(recording.id)", "error": "\(error)"])
            }
        }
    }

    /// A stream got a publisher: record it if it is a class to record and not being recorded.
    func published(_ key: StreamKey, stream: ObjectIdentifier) async {
        guard !stopping, key.app == "live", !key.name.contains("~") else { return }
        // A stream pulled from another node is recorded there, by the node its publisher is on.
        guard registry.stream(key)?.snapshot().publisher?.pulledFrom == nil else { return }
        let classId = key.name
        if active.values.contains(where: { $0.recording.classId == classId && $0.stream == stream }) { return }
        guard !starting.contains(classId) else { return }
        starting.insert(classId)
        defer { starting.remove(classId) }
        guard let schedule = try? await service.classSchedule(classId), schedule.record else { return }
        let now = Date()
        let near = service.expansion.occurrences(of: schedule, from: now.addingTimeInterval(-86400), to: now.addingTimeInterval(86400))
        guard let occurrence = near.min(by: { Self.distance(now, $0) < Self.distance(now, $1) }) else {
            logger.notice("not recorded: the class has no occurrence near now", metadata: ["class": "\(classId)"])
            return
        }
        await start(key, schedule: schedule, occurrence: occurrence, stream: stream)
    }

    private static func distance(_ now: Date, _ o: Occurrence) -> TimeInterval {
        now < o.startsAt ? o.startsAt.timeIntervalSince(now) : max(now.timeIntervalSince(o.endsAt), 0)
    }

    private func start(_ key: StreamKey, schedule: ClassSchedule, occurrence: Occurrence, stream: ObjectIdentifier) async {
        let id = Validation.newID(prefix: "rec")
        let recording = Recording(
            id: id, classId: schedule.id, title: schedule.title, program: schedule.program, centralSchoolId: schedule.centralSchoolId,
            siteIds: schedule.siteIds, occurrenceStartsAt: occurrence.startsAt, startsAt: Date(),
            file: RecordingDirectory.fileName(for: id)
        )
        guard let path = directory.mediaPath(for: id) else { return }  // never: the id is the relay's own
        do {
            try await store.insertRecording(recording)
        } catch {
            failures.increment()
            logger.error("not recorded: the catalogue cannot be written", metadata: ["class": "\(schedule.id)", "error": "\(error)"])
            return
        }
        do {
            let handle = try factory.record(key, path: path, registry: registry) { [weak self] end, progress in
                Task { await self?.ended(id, end, progress) }
            }
            active[id] = Active(
                recording: recording, handle: handle, stream: stream, occurrenceEndsAt: occurrence.endsAt, flushed: RecordingProgress()
            )
            activeGauge.record(active.count)
            logger.info("recording", metadata: ["recording": "\(id)", "class": "\(schedule.id)", "file": "\(recording.file)"])
        } catch {
            failures.increment()
            logger.error(
                "recording failed to start; the lesson goes on",
                metadata: [
                    "recording": "\(id)", "class": "\(schedule.id)", "error": "\(error)",
                ])
            try? await store.updateRecording(id: id, state: .interrupted, endsAt: Date(), durationMillis: 0, bytes: 0)
        }
    }

    /// A recorder stopped by itself: its stream ended, its disk failed, or the codecs changed.
    func ended(_ id: String, _ end: RecordingEnd, _ progress: RecordingProgress) async {
        guard let entry = active.removeValue(forKey: id) else { return }
        activeGauge.record(active.count)
        await Self.join(entry.handle)
        switch end {
        case .failed(let why):
            failures.increment()
            logger.error(
                "recording stopped: the file cannot be written; the lesson goes on",
                metadata: [
                    "recording": "\(id)", "class": "\(entry.recording.classId)", "error": "\(why)",
                ])
            await finish(entry, .interrupted, progress)
        case .tracksChanged:
            logger.notice("the publisher changed codecs: the recording ends and a new one starts", metadata: ["recording": "\(id)"])
            await finish(entry, .complete, progress)
            await published(entry.handle.key, stream: entry.stream)
        case .streamEnded, .stopped:
            await finish(entry, .complete, progress)
        }
    }

    /// Writes a recording's end to the catalogue.
    private func finish(_ entry: Active, _ state: Recording.State, _ progress: RecordingProgress) async {
        bytesWritten.increment(by: max(progress.bytes - entry.flushed.bytes, 0))
        do {
            try await store.updateRecording(
                id: entry.recording.id, state: state, endsAt: Date(), durationMillis: progress.durationMillis, bytes: progress.bytes
            )
        } catch {
            logger.error("cannot write a recording's end to the catalogue", metadata: ["recording": "\(entry.recording.id)", "error": "\(error)"])
        }
        logger.info(
            "recording \(state.rawValue)",
            metadata: [
                "recording": "\(entry.recording.id)", "class": "\(entry.recording.classId)", "seconds": "\(progress.durationMillis / 1000)",
                "bytes": "\(progress.bytes)", "droppedFrames": "\(progress.droppedFrames)",
            ])
        if !stopping { await applyRetention() }
    }

    /// Progress to the catalogue; recordings past their occurrence's end (and overrun) ended.
    func tick() async {
        let now = Date()
        for (id, entry) in active {
            if now > entry.occurrenceEndsAt.addingTimeInterval(settings.overrun) {
                active[id] = nil
                activeGauge.record(active.count)
                await Self.join(entry.handle)
                logger.info("the occurrence is over: recording ended", metadata: ["recording": "\(id)"])
                await finish(entry, .complete, entry.handle.progress)
                continue
            }
            let progress = entry.handle.progress
            guard progress != entry.flushed else { continue }
            bytesWritten.increment(by: max(progress.bytes - entry.flushed.bytes, 0))
            active[id]?.flushed = progress
            try? await store.updateRecordingProgress(id: id, durationMillis: progress.durationMillis, bytes: progress.bytes)
        }
        if ContinuousClock.now - lastRetention >= settings.retentionEvery { await applyRetention() }
    }

    /// Relay shutdown: every recorder writes what it has and is joined; the recordings are
    /// `interrupted` (the lesson did not end; the files play to their end).
    func stopAll() async {
        stopping = true
        let all = active
        active.removeAll()
        activeGauge.record(0)
        for entry in all.values { await Self.join(entry.handle) }
        for entry in all.values { await finish(entry, .interrupted, entry.handle.progress) }
    }

    /// `stop()` blocks on the writer's thread: run it on a dispatch thread, not the cooperative pool.
    private static func join(_ handle: any StreamRecording) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                handle.stop()
                done.resume()
            }
        }
    }

    // MARK: The catalogue

    /// A store call from the API: its failure as the API's error.
    private func stored<T>(_ body: () async throws(StoreError) -> T) async throws(ControlPlaneError) -> T {
        do {
            return try await body()
        } catch {
            throw ControlPlaneError.from(error)
        }
    }

    /// Where files are: paths come from validated recording ids only, never from the row's `file`.
    var directory: RecordingDirectory { RecordingDirectory(path: settings.directory) }

    /// A recording as stored, with the live progress of one being written.
    private func current(_ recording: Recording) -> Recording {
        guard let entry = active[recording.id] else { return recording }
        var live = recording
        let progress = entry.handle.progress
        live.bytes = progress.bytes
        live.durationMillis = progress.durationMillis
        return live
    }

    public func recordings(classId: String?, from: Date?, to: Date?) async throws(ControlPlaneError) -> [Recording] {
        let rows = try await stored { () throws(StoreError) in try await store.recordings(classId: classId, from: from, to: to) }
        return rows.map(current)
    }

    public func recording(_ id: String) async throws(ControlPlaneError) -> Recording {
        guard let row = try await stored({ () throws(StoreError) in try await store.recording(id: id) }) else {
            throw .notFound("recording '\(id)'")
        }
        return current(row)
    }

    /// The recording and, for serving, its file's path: nil unless it is a regular file in the
    /// recordings directory under the name the relay gives the recording's (validated) id.
    public func media(_ id: String) async throws(ControlPlaneError) -> (recording: Recording, path: String?) {
        let recording = try await recording(id)
        return (recording, directory.existingFile(for: recording.id))
    }

    /// Removes the file and the row together (a recording being written cannot be removed).
    public func delete(_ id: String) async throws(ControlPlaneError) {
        let recording = try await recording(id)
        guard active[id] == nil, recording.state != .recording else {
            throw .conflict("recording '\(id)' is being written; it can be removed once it is complete")
        }
        try await remove(recording, reason: "removed through the API")
    }

    /// The file first, then its row: a failure leaves both, or a row without a file (removed again later).
    private func remove(_ recording: Recording, reason: String) async throws(ControlPlaneError) {
        do {
            if let path = directory.safePath(for: recording.id) {
                try RecordingFiles.remove(path)
            } else {
                logger.warning(
                    "a recording's row names no regular file the relay made; only the row is removed",
                    metadata: [
                        "recording": "\(recording.id)"
                    ])
            }
        } catch {
            logger.error("cannot remove a recording's file", metadata: ["recording": "\(recording.id)", "error": "\(error)"])
            throw ControlPlaneError(.serviceUnavailable, "unavailable", "the recording's file cannot be removed; nothing was changed")
        }
        try await stored { () throws(StoreError) in try await store.deleteRecording(id: recording.id) }
        logger.info("recording removed", metadata: ["recording": "\(recording.id)", "class": "\(recording.classId)", "reason": "\(reason)"])
    }

    /// Applies ``RetentionPlan`` to the catalogue: each removal logged.
    func applyRetention() async {
        lastRetention = .now
        guard settings.keepDays > 0 || settings.maxDiskMB > 0,
            let all = try? await store.recordings()
        else { return }
        let live = Set(active.keys)
        let doomed = RetentionPlan.doomed(
            all.map(current), isActive: { live.contains($0) }, now: Date(), keepDays: settings.keepDays, maxDiskMB: settings.maxDiskMB
        )
        for (recording, reason) in doomed {
            do {
                try await remove(recording, reason: reason)
            } catch {
                logger.error("retention could not remove a recording", metadata: ["recording": "\(recording.id)", "error": "\(error)"])
            }
        }
    }
}
