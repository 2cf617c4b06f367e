public import Logging
import Media
import NIOConcurrencyHelpers
public import RelayCore

/// Records streams as fragmented MP4 (``FragmentedMP4Recorder``).
public struct FragmentedMP4RecorderFactory: StreamRecorderFactory {
    let logger: Logger

    public init(logger: Logger) { self.logger = logger }

    public func record(
        _ key: StreamKey, path: String, registry: StreamRegistry,
        onEnd: @escaping @Sendable (RecordingEnd, RecordingProgress) -> Void
    ) throws -> any StreamRecording {
        try FragmentedMP4Recorder(key: key, path: path, registry: registry, logger: logger, onEnd: onEnd)
    }
}

/// One stream recorded without re-encoding: a subscriber of the stream that queues its messages
/// (never blocking the publisher) for a writer thread of its own, which muxes them into
/// fragmented MP4 with a fragment per GOP (``RecordingWriter``). Timestamps start at zero and stay
/// monotonic across publisher drops and takeovers (the stream rebases a returning publisher).
///
/// Owned by the control plane's recording service: `stop()` once (joins the thread).
final class FragmentedMP4Recorder: StreamSubscriber, StreamRecording, @unchecked Sendable {
    let key: StreamKey
    /// Room for a slow disk's stall (30 s of 30 fps video); beyond it video drops to the next
    /// keyframe (counted) rather than the publisher waiting.
    static let maxQueuedVideoFrames = 900
    private let inbox = MediaInbox(maxVideoFrames: FragmentedMP4Recorder.maxQueuedVideoFrames)
    private let thread: OwnedThread
    private let registry: StreamRegistry
    /// Set once in `init` (the stream it subscribed to), read by `stop()`.
    private var stream: LiveStream?
    private let reported: NIOLockedValueBox<RecordingProgress>
    private let stopped = NIOLockedValueBox(false)

    init(
        key: StreamKey, path: String, registry: StreamRegistry, logger: Logger,
        onEnd: @escaping @Sendable (RecordingEnd, RecordingProgress) -> Void
    ) throws {
        self.key = key
        self.registry = registry
        var logger = logger
        logger[metadataKey: "stream"] = "\(key)"
        let writer = try RecordingWriter(path: path, logger: logger)
        let reported = NIOLockedValueBox(RecordingProgress())
        self.reported = reported
        let inbox = self.inbox
        nonisolated(unsafe) let confined = writer  // used by the writer's thread only
        thread = try OwnedThread(name: "recorder") {
            let end = confined.run(inbox) { progress in reported.withLockedValue { $0 = progress } }
            if end != .stopped { onEnd(end, reported.withLockedValue { $0 }) }
        }
        stream = registry.attachSubscriber(self, to: key)
    }

    /// Called under the stream's lock: queue and return.
    func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        inbox.push(item)
    }

    var progress: RecordingProgress { reported.withLockedValue { $0 } }

    func stop() {
        guard
            !stopped.withLockedValue({
                let was = $0
                $0 = true
                return was
            })
        else { return }
        if let stream { registry.detachSubscriber(self, from: stream) }
        inbox.closeAfterQueued()
        thread.join()
    }
}

/// The writer thread's side: muxing and the file. Confined to that thread.
final class RecordingWriter {
    private let media: RecordingFile
    private let index: RecordingFile
    private let logger: Logger
    private var tracks = FragmentedMP4Muxer.Tracks()
    private var muxer: FragmentedMP4Muxer?
    /// The stream timestamp that is the file's zero.
    private var origin: Int64 = 0
    private var fragmentStart: Int64 = 0
    private var lastTimestamp: Int64 = 0
    private var lastVideoTimestamp: Int64?
    private var videoFrameMillis: Int64 = 33
    private var progress = RecordingProgress()
    /// A GOP shorter than this (a forced keyframe) stays in the fragment it started in.
    static let minimumFragmentMillis: Int64 = 1000

    init(path: String, logger: Logger) throws(RecordingFileError) {
        media = try RecordingFile(creating: path)
        index = try RecordingFile(creating: path + ".idx")
        self.logger = logger
    }

    /// Writes what `inbox` hands out until it closes, the stream ends, or writing fails; then
    /// finishes the file (the last fragment and the trailer) unless the disk failed.
    func run(_ inbox: MediaInbox, report: (RecordingProgress) -> Void) -> RecordingEnd {
        var end = RecordingEnd.stopped
        loop: while let item = inbox.pop() {
            switch item {
            case .media(let message):
                do {
                    if try take(message) {
                        end = .tracksChanged
                        break loop
                    }
                } catch {
                    end = .failed("\(error)")
                    break loop
                }
                report(progress)
            case .event(.ended(let reason)):
                end = .streamEnded(reason: reason)
                break loop
            case .event(.publisherStarted), .event(.publisherLost):
                continue
            }
        }
        if case .failed = end {
            inbox.close()
        } else {
            do {
                try finish()
            } catch {
                end = .failed("\(error)")
            }
        }
        progress.droppedFrames = inbox.droppedCount
        report(progress)
        return end
    }

    /// Muxes one message; true when it carries a codec configuration this file cannot take.
    private func take(_ message: MediaMessage) throws -> Bool {
        if message.isSequenceHeader {
            var updated = tracks
            guard updated.apply(sequenceHeader: message) else { return false }
            if muxer != nil, updated != tracks { return true }
            tracks = updated
            return false
        }
        guard message.kind != .metadata else { return false }
        let timestamp = Int64(message.timestamp)
        let isPicture = message.kind == .video
        if muxer == nil {
            let canStart = tracks.video != nil ? (isPicture && message.isKeyframe) : (message.kind == .audio && tracks.audio != nil)
            guard canStart else { return false }
            let started = try FragmentedMP4Muxer(tracks: tracks)
            try media.append(started.initSection)
            try media.sync()
            try index.append(RecordingIndex.initLine(length: media.length))
            progress.bytes = media.length
            muxer = started
            origin = timestamp
            logger.info("recording started", metadata: ["file": "\(media.path)", "codecs": "\(tracks.codecs)"])
        }
        guard let muxer else { return false }
        var rebased = timestamp - origin
        if rebased < 0 {
            // Cached audio from before the first picture: left out, so the tracks start together.
            guard isPicture else { return false }
            rebased = 0
        }
        let audioAlone = tracks.video == nil
        if (isPicture && message.isKeyframe && rebased - fragmentStart >= Self.minimumFragmentMillis)
            || (audioAlone && rebased - fragmentStart >= 2000)
        {
            try writeFragment(muxer, endingAt: rebased)
        }
        var shifted = message
        shifted.timestamp = UInt32(clamping: rebased)
        try muxer.write(shifted)
        if isPicture {
            if let last = lastVideoTimestamp, rebased > last { videoFrameMillis = min(rebased - last, 200) }
            lastVideoTimestamp = rebased
        }
        lastTimestamp = max(lastTimestamp, rebased)
        return false
    }

    /// Cuts the pending packets into a fragment, writes it and its index line, both synced.
    private func writeFragment(_ muxer: FragmentedMP4Muxer, endingAt end: Int64) throws {
        let bytes = try muxer.cutFragment()
        guard !bytes.isEmpty else { return }
        let fragment = RecordingIndex.Fragment(
            offset: media.length, length: Int64(bytes.count), startMillis: fragmentStart, durationMillis: max(end - fragmentStart, 1)
        )
        try media.append(bytes)
        try media.sync()
        try index.append(RecordingIndex.fragmentLine(fragment))
        try index.sync()
        fragmentStart = end
        progress.bytes = media.length
        progress.durationMillis += fragment.durationMillis
        progress.fragments += 1
    }

    private func finish() throws {
        guard let muxer else { return }
        try writeFragment(muxer, endingAt: lastTimestamp + (tracks.video != nil ? videoFrameMillis : 23))
        let trailer = try muxer.finish()
        if !trailer.isEmpty {
            try media.append(trailer)
            try media.sync()
        }
        progress.bytes = media.length
        self.muxer = nil
        logger.info(
            "recording finished",
            metadata: [
                "file": "\(media.path)", "seconds": "\(progress.durationMillis / 1000)", "bytes": "\(progress.bytes)",
            ])
    }
}
