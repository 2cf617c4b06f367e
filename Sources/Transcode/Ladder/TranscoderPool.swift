public import Logging
import Media
import NIOConcurrencyHelpers
public import RelayCore

/// One ``ClassTranscoder`` per published source stream: started when the stream gets a
/// publisher (a takeover or a returning publisher keeps the running one), gone when the stream ends.
public final class TranscoderPool: Sendable {
    private let registry: StreamRegistry
    private let directory: RenditionDirectory
    private let settings: TranscodeSettings
    private let logger: Logger
    /// The classes' stages: a class's rungs carry its program while its stage is not empty.
    private let stages: ProgramStageBoard?
    private let running = NIOLockedValueBox<[StreamKey: ClassTranscoder]>([:])
    /// Threads of transcoders that ended on their own: joined by the next start or at `stopAll`.
    private let retired = RetiredThreads()

    public init(
        registry: StreamRegistry, directory: RenditionDirectory, settings: TranscodeSettings, logger: Logger, stages: ProgramStageBoard? = nil
    ) {
        self.registry = registry
        self.directory = directory
        self.settings = settings
        self.logger = logger
        self.stages = stages
    }

    /// Starts transcoding every stream that gets a publisher from now on.
    public func install() {
        registry.addPublishObserver { [weak self] key, stream in
            // A stream pulled from another node is transcoded there, at its origin; its rungs are
            // pulled as this node's players ask for them.
            guard stream.snapshot().publisher?.pulledFrom == nil else { return }
            self?.publisherAttached(key)
        }
    }

    func publisherAttached(_ key: StreamKey) {
        guard !directory.isRenditionStream(key), settings.transcodesReturnFeeds || key.returnFeed == nil else { return }
        guard !settings.ladder.isEmpty || key.mayCarryProgram else { return }  // transcoding off: programs only
        let transcoder = running.withLockedValue { map -> ClassTranscoder? in
            if let existing = map[key], !existing.isStopping { return nil }
            let transcoder = ClassTranscoder(
                source: key, registry: registry, directory: directory, settings: settings, logger: logger, stages: stages
            ) { [weak self] done in
                self?.running.withLockedValue { map in if map[key] === done { map[key] = nil } }
                self?.retired.add(done.thread)
            }
            map[key] = transcoder
            return transcoder
        }
        // Those have returned or are returning: no wait to speak of.
        retired.joinAll()
        transcoder?.start()
    }

    /// Stops every transcoder at once and joins each thread (relay shutdown): as long as the
    /// slowest, not the sum. It blocks, so the caller runs it on a thread of its own.
    public func stopAll() {
        let all = running.withLockedValue { map -> [ClassTranscoder] in
            defer { map.removeAll() }
            return Array(map.values)
        }
        for transcoder in all { transcoder.requestStop() }
        for transcoder in all { transcoder.thread?.join() }
        retired.joinAll()
    }
}
