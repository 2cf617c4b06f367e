import Foundation
public import Logging
import Media
public import RelayCore

/// Transcodes one class's published stream into the rung streams `live/<classId>_<rung>`, on
/// its own thread. It subscribes to the source like a player; what the source hands it goes
/// into a bounded ``MediaInbox`` (never blocking the publisher), and the thread runs a
/// ``TranscodeWorker``. It stops when the source stream ends, or when asked.
public final class ClassTranscoder: StreamSubscriber, @unchecked Sendable {
    public let source: StreamKey
    private let inbox: MediaInbox
    private let worker: TranscodeWorker
    private let registry: StreamRegistry
    private let directory: RenditionDirectory
    private let logger: Logger
    private let finished: @Sendable (ClassTranscoder) -> Void
    /// Set by `start` before the transcoder is shared; joined by its pool (which must do so off
    /// event loops and Swift's cooperative pool: the join blocks).
    public private(set) var thread: OwnedThread?

    public init(
        source: StreamKey, registry: StreamRegistry, directory: RenditionDirectory, settings: TranscodeSettings,
        logger: Logger, stages: ProgramStageBoard? = nil, finished: @escaping @Sendable (ClassTranscoder) -> Void = { _ in }
    ) {
        self.source = source
        self.registry = registry
        self.directory = directory
        self.logger = logger
        self.finished = finished
        inbox = MediaInbox(maxVideoFrames: settings.maxQueuedFrames)
        worker = TranscodeWorker(
            source: source, registry: registry, directory: directory, settings: settings, logger: logger,
            fps: { registry.stream(source)?.snapshot().video?.fps ?? 0 },
            program: stages.flatMap { board in
                source.app == "live" && source.returnFeed == nil
                    ? ClassProgram(classId: source.name, registry: registry, board: board, logger: logger) : nil
            }
        )
    }

    /// Starts the thread and subscribes to the source (which hands over its headers and GOP).
    /// Returns false (and logs why) when the system has no thread to give.
    @discardableResult
    public func start() -> Bool {
        do {
            thread = try OwnedThread(name: "transcode") { [self] in self.run() }
        } catch {
            logger.error("transcoder not started", metadata: ["stream": "\(source)", "error": "\(error)"])
            inbox.close()
            return false
        }
        registry.attachSubscriber(self, to: source)
        return true
    }

    /// Tells the thread to stop (it ends its rung streams) without waiting for it.
    public func requestStop() {
        if let stream = registry.stream(source) { registry.detachSubscriber(self, from: stream) }
        inbox.close()
    }

    /// True once it was asked to stop or its stream ended.
    public var isStopping: Bool { inbox.isClosed }

    /// Called under the source stream's lock: queue and return.
    public func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        inbox.push(item)
        if case .event(.ended) = item { inbox.close() }
    }

    private func run() {
        logger.info("transcoder started", metadata: ["stream": "\(source)"])
        var reported = 0
        while let item = inbox.pop() {
            worker.handle(item)
            let dropped = inbox.droppedCount
            if dropped != reported {
                directory.countTranscodeLosses(dropped: dropped - reported, decodeErrors: 0)
                reported = dropped
            }
        }
        worker.finish()
        let dropped = inbox.droppedCount
        logger.info(
            "transcoder stopped",
            metadata: [
                "stream": "\(source)", "droppedFrames": "\(dropped)", "decodeErrors": "\(worker.decodeErrors)",
            ])
        finished(self)
    }
}
