import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import NIOCore
import RelayCore

/// One HLS variant of one stream (its source or a rung): a subscriber of that stream while
/// clients fetch it, muxing it once into fMP4 (however many clients) with a segment cut at every
/// keyframe, so the variants of a ladder, whose keyframes are aligned, have segments that start
/// at the same timestamps. It reports its clients to the live view; the rung it watches is
/// encoded while it is subscribed, and it leaves after `idleTimeout` without a fetch.
///
/// The muxing (libavformat) runs on a thread of its own (``run()``, on the ``OwnedThread`` its
/// ``HLSPackager`` starts and joins), fed through a ``MediaInbox``, as the recorder's and the
/// transcoder's are: never on Swift's cooperative pool. What clients fetch is read from `state`
/// by the HTTP handlers' tasks.
final class HLSVariantPackager: StreamSubscriber, ViewerGroupReporting, Sendable {
    struct ClientRecord: Sendable {
        var schoolId: String?
        var since: Date
        var lastSeen: ContinuousClock.Instant
        var bytes: Int
        /// Bytes and when, for the send rate over the last few fetches.
        var recentBytes: Int
        var recentSince: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var window: HLSSegmentWindow
        var clients: [String: ClientRecord] = [:]
        var lastFetch: ContinuousClock.Instant
        var tracks: FragmentedMP4Muxer.Tracks?
        var finished = false
        /// The stream timestamp of the open segment's keyframe (nil: no muxer now).
        var openSegmentStart: Int64?
        /// The plain name's source variant packages the class's program now.
        var playingProgram = false
        /// A site's copy: true once it took over (``HLSSiteCopyStart``); always true otherwise.
        var serving = true
    }

    let source: StreamKey
    let variant: String
    let idleTimeout: Duration
    /// The subscription's queue for the muxing thread (bounded: when the muxer falls
    /// `maxQueuedVideoFrames` behind, video drops to the next keyframe).
    private let inbox = MediaInbox(maxVideoFrames: HLSVariantPackager.maxQueuedVideoFrames)
    /// 4 s of 30 fps video, as a player's queue (``PlayerQueue/Limits``) holds.
    static let maxQueuedVideoFrames = 120
    private let state: NIOLockedValueBox<State>
    private let programClock: HLSProgramClock
    /// For the plain name's source variant: how to follow the class's program (nil: never).
    private let programFollowing: ProgramFollowing?
    /// The program's subscription while the variant follows it (with `programFollowing`).
    private let programFeed: ProgramFeed?
    /// For a site's copy of the variant: the variant it copies, and whether the site is still on the stage.
    private let siteCopy: SiteCopy?
    let mixMinusSite: String?
    /// Called on the muxing thread at each of the shared variant's keyframes: where its
    /// packager starts the copies of its clients' sites that went on the stage.
    private let atKeyframe: (@Sendable (HLSVariantPackager) -> Void)?
    private let logger: Logger

    /// A site's own copy of a variant while the site is on the class's stage: subscribed with
    /// the site as its mix-minus site (its audio is the site's mix-minus, without its own voice),
    /// numbered as `shared` is, and serving the site's clients once it took over
    /// (``HLSSiteCopyStart``). It ends when the site leaves the stage, and its clients go back
    /// to `shared` at the same numbers.
    struct SiteCopy: Sendable {
        let shared: HLSVariantPackager
        let site: String
        /// The copy packages the class's program (a copy of the plain name's source variant):
        /// it takes over only while the shared variant does too.
        let copiesProgram: Bool
        let isOnStage: @Sendable () -> Bool
    }

    /// The class's program, which the plain name's source variant packages instead of the source
    /// while it is on the air (``RenditionDirectory/isProgramOnAir(_:)``, the decision every
    /// protocol's plain-name players follow); subscribing to it is what makes it encoded.
    struct ProgramFollowing: Sendable {
        let key: StreamKey
        let registry: StreamRegistry
        let isOnAir: @Sendable () -> Bool
    }

    /// A feed the variant takes media from besides its own subscription (the program): not a
    /// viewer of that stream (the variant reports its clients on the source). Attached while the
    /// program is on the air; its inbox is emptied when it leaves and closed only by `stop()`.
    private final class ProgramFeed: StreamSubscriber, Sendable {
        let inbox = MediaInbox(maxVideoFrames: HLSVariantPackager.maxQueuedVideoFrames)
        func enqueue(_ item: StreamItem, streamHasVideo: Bool) { inbox.push(item) }
    }

    init(
        source: StreamKey, variant: String, idleTimeout: Duration, programClock: HLSProgramClock,
        programFollowing: ProgramFollowing? = nil, siteCopy: SiteCopy? = nil,
        atKeyframe: (@Sendable (HLSVariantPackager) -> Void)? = nil, logger: Logger
    ) {
        self.source = source
        self.siteCopy = siteCopy
        self.atKeyframe = atKeyframe
        self.mixMinusSite = siteCopy?.site
        self.programClock = programClock
        self.programFollowing = programFollowing
        self.programFeed = programFollowing.map { _ in ProgramFeed() }
        self.variant = variant
        self.idleTimeout = idleTimeout
        self.state = NIOLockedValueBox(
            State(window: HLSSegmentWindow(partTarget: Self.partTarget), lastFetch: .now, serving: siteCopy == nil))
        var logger = logger
        logger[metadataKey: "stream"] = "\(source)"
        logger[metadataKey: "variant"] = "\(variant)"
        if let site = siteCopy?.site { logger[metadataKey: "site"] = "\(site)" }
        self.logger = logger
    }

    /// Called under the stream's lock: queue for the muxing thread and return.
    func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        inbox.push(item)
    }

    /// Tells the muxing thread to stop (relay shutdown) without waiting for it; its owner joins it.
    func stop() {
        inbox.close()
        programFeed?.inbox.close()
    }

    // MARK: What clients fetch

    var isFinished: Bool { state.withLockedValue { $0.finished } }
    /// False for a site's copy until it took over from the shared variant.
    var isServing: Bool { state.withLockedValue { $0.serving && !$0.finished } }
    /// Whether the plain name's source variant packages the class's program now.
    var isPlayingProgram: Bool { state.withLockedValue { $0.playingProgram } }
    var tracks: FragmentedMP4Muxer.Tracks? { state.withLockedValue { $0.tracks } }
    /// The number of the segment being built (every one before it is closed).
    var nextSequence: Int { state.withLockedValue { $0.window.nextSequence } }

    /// Keeps the variant alive for another `idleTimeout` without a client (a multivariant fetch).
    func keepAlive() {
        let now = ContinuousClock.now
        state.withLockedValue { $0.lastFetch = now }
    }

    /// Keeps the variant alive for a client that another packager (its site's copy) serves now,
    /// and stops listing that client here (the copy lists it).
    func keepAlive(handingOver client: HLSClient) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            state.lastFetch = now
            if state.clients[client.id] != nil { state.clients[client.id] = nil }
        }
    }

    /// Counts a fetch of `bytes` by `client` (keeps the variant alive).
    func touch(_ client: HLSClient, bytes: Int) {
        let now = ContinuousClock.now
        state.withLockedValue { state in
            state.lastFetch = now
            var record =
                state.clients[client.id]
                ?? ClientRecord(schoolId: client.schoolId, since: Date(), lastSeen: now, bytes: 0, recentBytes: 0, recentSince: now)
            record.lastSeen = now
            record.bytes += bytes
            if now - record.recentSince > .seconds(10) {
                record.recentBytes = 0
                record.recentSince = now
            }
            record.recentBytes += bytes
            state.clients[client.id] = record
        }
    }

    /// Low-latency HLS: a part is cut at the first picture ≥ `partCutMillis` into it, so parts
    /// last 0.51 s to 0.51 s + one frame (at 15 fps or more, within the target and ≥ 85 % of it).
    static let partTarget = 0.6
    static let partCutMillis: Int64 = 510

    /// Segments a just-started variant waits for before its first playlist: players start a few
    /// target durations from a live playlist's end (RFC 8216 6.3.3), and Chromium's own player
    /// fails on a live playlist of one segment instead of waiting for the next.
    static let startingSegments = 3

    /// The media playlist once the window holds `startingSegments` (or, after `timeout`, any),
    /// and, for a blocking reload (`_HLS_msn`, `_HLS_part`), once it has that segment or part
    /// (at most three target durations later); nil if none came (or the variant ended first).
    func mediaPlaylist(query: String, timeout: Duration, blockingUntil wanted: (sequence: Int, part: Int?)? = nil) async -> String? {
        var deadline = ContinuousClock.now + timeout
        if wanted != nil {
            deadline = ContinuousClock.now + .seconds(3 * state.withLockedValue { $0.window.targetDuration })
        }
        while true {
            let now = ContinuousClock.now
            let (playlist, finished): (String?, Bool) = state.withLockedValue { state in
                let count = state.window.segments.count
                var ready = count >= Self.startingSegments || (count > 0 && (now >= deadline || state.window.nextSequence > count))
                if let wanted, count > 0 { ready = state.window.has(sequence: wanted.sequence, part: wanted.part) || now >= deadline }
                return (ready ? state.window.mediaPlaylist(query: query) : nil, state.finished)
            }
            if let playlist { return playlist }
            if finished || ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The kept parts, for a client whose playlists list parts as segments (``HLSPartsListing``).
    var partsVariant: HLSPartsListing.Variant {
        state.withLockedValue { HLSPartsListing.Variant(name: variant, entries: $0.window.partEntries, nextPartNumber: $0.window.nextPartNumber) }
    }

    func initSection(number: Int) -> ByteBuffer? { state.withLockedValue { $0.window.map(number: number) } }
    func segment(sequence: Int) -> ByteBuffer? { state.withLockedValue { $0.window.segment(sequence: sequence) } }

    /// A part; the next one (a preload hint) is waited for, up to a few part targets.
    func part(sequence: Int, index: Int) async -> ByteBuffer? {
        let deadline = ContinuousClock.now + .seconds(3)
        while true {
            let (bytes, upcoming): (ByteBuffer?, Bool) = state.withLockedValue { state in
                let window = state.window
                let next =
                    (sequence == window.nextSequence && index >= window.openParts.count && index <= window.openParts.count + 1)
                    || (sequence == window.nextSequence + 1 && index == 0)
                return (window.part(sequence: sequence, index: index), next && !state.finished)
            }
            if let bytes { return bytes }
            if !upcoming || ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The schools of the clients that fetched within `idleTimeout`.
    var clientSchools: Set<String> {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            Set(state.clients.values.lazy.filter { now - $0.lastSeen < self.idleTimeout }.compactMap(\.schoolId))
        }
    }

    var viewerSnapshots: [ViewerSnapshot] {
        let now = ContinuousClock.now
        return state.withLockedValue { state in
            state.clients.values.filter { now - $0.lastSeen < idleTimeout }.map { record in
                let seconds = max(Double((now - record.recentSince).components.seconds), 1)
                return ViewerSnapshot(
                    schoolId: record.schoolId, transport: .hls, rendition: variant, since: record.since, bytesSent: record.bytes,
                    sendKbps: Int(Double(record.recentBytes * 8) / seconds / 1000), gopDrops: 0
                )
            }
        }
    }

    // MARK: The muxing loop

    /// Muxes what the stream sends until the stream ends, no client fetched for `idleTimeout`,
    /// or ``stop()`` (shutdown). Runs on the thread its ``HLSPackager`` owns; blocks. The plain
    /// name's source variant follows the class's program: it subscribes to the program when it
    /// goes on the air and moves to it at its first keyframe not older than what it muxed (a new
    /// init section, a discontinuity; sequence numbers and dates go on), and back to the source
    /// at the source's keyframe when the stage empties.
    func run() {
        var segmenter = Segmenter(programClock: programClock, logger: logger)
        var reason = "no client for \(idleTimeout)"
        /// The program's stream while `programFeed` is subscribed to it.
        var program: LiveStream?
        var playingProgram = false
        var pendingSwitch: HLSFeedSwitch?
        var lastVideo: Int64?
        /// What the incoming feed queued, scanned for the switch's keyframe (reused).
        var scanned: [StreamItem] = []
        /// A site's copy until it takes over.
        var copyStart = siteCopy.map { _ in HLSSiteCopyStart() }
        /// A site's copy: where its site left the stage (the newest timestamp its stream had
        /// published when the stage was seen without the site: the program's audio from there
        /// on holds no voice of the site). It goes on to its next segment start after that, so
        /// its clients go back to the shared variant where no segment holds their own voice.
        var leftStageAt: Int64?
        loop: while true {
            if let siteCopy, leftStageAt == nil, !siteCopy.isOnStage() {
                leftStageAt = inbox.newestPushedTimestamp.map(Int64.init) ?? lastVideo ?? Int64.min
                if copyStart != nil { reason = "its site left the stage before it took over" }
            }
            if let leftStageAt, copyStart != nil || state.withLockedValue({ $0.openSegmentStart ?? .max }) > leftStageAt {
                if copyStart == nil { reason = "its site left the stage" }
                break
            }
            if let following = programFollowing, let programFeed {
                let onAir = following.isOnAir()
                if onAir != playingProgram, pendingSwitch == nil {
                    if program == nil { program = following.registry.attachSubscriber(programFeed, to: following.key) }
                    let headers = (playingProgram ? following.registry.stream(source) : program)?.sequenceHeaders
                    pendingSwitch = HLSFeedSwitch(videoHeader: headers?.video, audioHeader: headers?.audio)
                } else if onAir == playingProgram, pendingSwitch != nil {
                    pendingSwitch = nil
                }
                if !onAir, !playingProgram, let stream = program {
                    following.registry.detachSubscriber(programFeed, from: stream)
                    while programFeed.inbox.popIfAny() != nil {}  // what it queued before it left
                    program = nil
                }
            }
            let active = playingProgram ? programFeed?.inbox ?? inbox : inbox
            let item = active.pop(waitingAtMost: pendingSwitch == nil ? .seconds(1) : .milliseconds(100))
            if item == nil, active.isClosed {
                reason = "shutdown"
                break
            }
            if state.withLockedValue({ ContinuousClock.now - $0.lastFetch > idleTimeout }) { break }
            switch item {
            case .media(let message)?:
                if message.kind == .video, !message.isSequenceHeader {
                    lastVideo = Int64(message.timestamp)
                    if message.isKeyframe { atKeyframe?(self) }
                }
                if copyStart != nil, !message.isSequenceHeader { copyStart?.take(message) } else { segmenter.take(message, into: state) }
            case .event(.publisherStarted)?:
                segmenter.restart(into: state)
            case .event(.publisherLost)?, nil:
                break
            case .event(.ended(let why))?:
                // The program ending (its stage emptied) is not the variant's end.
                if !playingProgram {
                    segmenter.restart(into: state)
                    reason = "the stream ended: \(why)"
                    break loop
                }
            }
            if var pending = pendingSwitch, let incoming = playingProgram ? inbox : programFeed?.inbox {
                scanned.removeAll(keepingCapacity: true)
                while let queued = incoming.popIfAny() { scanned.append(queued) }
                let start = pending.scan(scanned, afterVideoAt: lastVideo)
                pendingSwitch = pending
                if let start {
                    segmenter.restart(into: state)
                    playingProgram.toggle()
                    state.withLockedValue { [playingProgram] in $0.playingProgram = playingProgram }
                    pendingSwitch = nil
                    logger.info("hls: the plain name follows the stage", metadata: ["to": "\(playingProgram ? Rendition.programName : "source")"])
                    for message in start {
                        if message.kind == .video, !message.isSequenceHeader { lastVideo = Int64(message.timestamp) }
                        segmenter.take(message, into: state)
                    }
                }
            }
            if let from = takeOver(&copyStart, segmenter: &segmenter) {
                for message in from { segmenter.take(message, into: state) }
                state.withLockedValue { $0.serving = true }
                logger.info(
                    "hls: the site's copy takes over (its mix-minus)", metadata: ["segment": "\(state.withLockedValue { $0.window.nextSequence })"])
            }
        }
        if let stream = program, let following = programFollowing, let programFeed {
            following.registry.detachSubscriber(programFeed, from: stream)
        }
        stop()
        state.withLockedValue { $0.finished = true }
        logger.info("hls variant stopped", metadata: ["reason": "\(reason)", "segments": "\(state.withLockedValue { $0.window.nextSequence })"])
    }

    /// A site's copy: when the shared variant started the segment it builds at the copy's pending
    /// keyframe, with the same tracks (and the same feed), the copy takes the shared window up to
    /// that segment and goes on from its keyframe in the same init section; returns what to mux
    /// (and `start` is then nil: the copy took over).
    private func takeOver(_ start: inout HLSSiteCopyStart?, segmenter: inout Segmenter) -> [MediaMessage]? {
        guard let siteCopy, var pending = start, !pending.pending.isEmpty else { return nil }
        let tracks = segmenter.tracks
        let taken = siteCopy.shared.state.withLockedValue { shared -> (HLSSegmentWindow, [MediaMessage])? in
            guard !shared.finished, shared.tracks == tracks, shared.playingProgram == siteCopy.copiesProgram,
                let from = pending.takeover(sharedSegmentStart: shared.openSegmentStart)
            else { return nil }
            return (shared.window.reopened(), from)
        }
        guard let (window, from) = taken else {
            start = pending
            return nil
        }
        start = nil
        state.withLockedValue { $0.window = window }
        segmenter.continuesMap = true
        return from
    }

    /// The cutting: a segment at each keyframe at least `minimumSegmentMillis` after the segment's
    /// start (every 2 s for audio alone), a part (a fragment) at the first picture `partCutMillis`
    /// into the part, a new init section when the codec configuration changes
    /// or a new publisher starts. Audio older than the muxer's first picture (a stream's cached
    /// audio from before it was watched) is left out, so a segment's tracks start together.
    /// A cut waits for the audio: pictures from the cut on are held until audio stamped at or
    /// after it arrives (at most `maximumHoldMillis` of pictures), and audio stamped before it
    /// goes into the part it ends. A rung's sound comes from its encoder a frame or two after
    /// its pictures; cut on arrival, each part's audio would end ~43 ms short of its pictures,
    /// a gap where a player changes variant there (Chromium's own stalls on it).
    private struct Segmenter {
        let programClock: HLSProgramClock
        let logger: Logger
        var tracks = FragmentedMP4Muxer.Tracks()
        var muxer: FragmentedMP4Muxer?
        var segmentStart: Int64 = 0
        var partStart: Int64 = 0
        var partIndependent = true
        var lastTimestamp: Int64 = 0
        var muxerStart: Int64 = 0
        /// A cut waiting for the audio: where, whether it ends the segment, and what it holds.
        var pendingCut: (at: Int64, closing: Bool)?
        var held: [MediaMessage] = []
        /// The next muxer continues the window's init section (a site's copy taking over) when
        /// its own is the same bytes.
        var continuesMap = false
        static let maximumHoldMillis: Int64 = 300
        /// Shorter keyframe gaps (a rung's forced keyframe when it resumes) stay in one segment;
        /// the ladder's aligned keyframes are further apart, so variants still cut alike.
        static let minimumSegmentMillis: Int64 = 1000

        mutating func take(_ message: MediaMessage, into state: NIOLockedValueBox<State>) {
            let timestamp = Int64(message.timestamp)
            if message.isSequenceHeader {
                var updated = tracks
                guard updated.apply(sequenceHeader: message), updated != tracks else { return }
                restart(into: state)
                tracks = updated
                state.withLockedValue { $0.tracks = updated }
                return
            }
            guard message.kind != .metadata else { return }
            let startsPicture = message.kind == .video && message.isKeyframe
            do throws(FFmpegError) {
                if let muxer {
                    if message.kind == .audio, tracks.video != nil, timestamp < muxerStart { return }
                    if let pending = pendingCut {
                        if message.kind == .audio, timestamp < pending.at {
                            try muxer.write(message)
                            lastTimestamp = max(lastTimestamp, timestamp)
                            return
                        }
                        if message.kind != .audio, timestamp - pending.at < Self.maximumHoldMillis {
                            held.append(message)
                            return
                        }
                        // The audio reached the cut (or waited too long): cut, then the held
                        // pictures and this message as if they came now.
                        try cut(muxer, at: pending.at, closing: pending.closing, into: state)
                        pendingCut = nil
                        let queued = held
                        held.removeAll(keepingCapacity: true)
                        for item in queued { take(item, into: state) }
                        take(message, into: state)
                        return
                    }
                    let audioAlone = tracks.video == nil && message.kind == .audio
                    var due: Bool?
                    if (startsPicture && timestamp - segmentStart >= Self.minimumSegmentMillis) || (audioAlone && timestamp - segmentStart >= 2000) {
                        due = true
                    } else if (message.kind == .video || audioAlone) && timestamp - partStart >= HLSVariantPackager.partCutMillis {
                        due = false
                    }
                    if let closing = due {
                        if tracks.audio != nil, !audioAlone {
                            pendingCut = (timestamp, closing)
                            held.append(message)
                            return
                        }
                        try cut(muxer, at: timestamp, closing: closing, into: state)
                    }
                    try muxer.write(message)
                } else {
                    let canStart = tracks.video != nil ? startsPicture : (message.kind == .audio && tracks.audio != nil)
                    guard canStart else { return }
                    let muxer = try FragmentedMP4Muxer(tracks: tracks)
                    self.muxer = muxer
                    let section = ByteBuffer(bytes: muxer.initSection)
                    let continues = continuesMap
                    continuesMap = false
                    state.withLockedValue { state in
                        if !continues || state.window.currentMap != section { state.window.startMap(section) }
                        state.openSegmentStart = timestamp
                    }
                    segmentStart = timestamp
                    partStart = timestamp
                    partIndependent = true
                    muxerStart = timestamp
                    try muxer.write(message)
                }
                lastTimestamp = max(lastTimestamp, timestamp)
            } catch {
                logger.warning("hls muxing failed; waiting for the next keyframe", metadata: ["error": "\(error)"])
                muxer = nil
            }
        }

        /// Ends the current part at `timestamp` (a fragment), and with `closing` its segment.
        private mutating func cut(_ muxer: FragmentedMP4Muxer, at timestamp: Int64, closing: Bool, into state: NIOLockedValueBox<State>)
            throws(FFmpegError)
        {
            let bytes = try muxer.cutFragment()
            let duration = Double(max(timestamp - partStart, 0)) / 1000
            let partDate = programClock.date(ofMillis: partStart, observed: timestamp)
            let independent = partIndependent
            let start = segmentStart
            partStart = timestamp
            partIndependent = closing
            if closing { segmentStart = timestamp }
            state.withLockedValue { state in
                if !bytes.isEmpty {
                    state.window.appendPart(
                        durationSeconds: duration, independent: independent, bytes: ByteBuffer(bytes: bytes), programDate: partDate)
                }
                if closing {
                    let date = programClock.date(ofMillis: start, observed: timestamp)
                    state.window.closeSegment(startMillis: start, programDateTime: HLSProgramClock.format(date))
                    state.openSegmentStart = timestamp
                }
            }
        }

        /// Ends the current segment where it stands; the next keyframe starts a new init section.
        mutating func restart(into state: NIOLockedValueBox<State>) {
            if let muxer, let pending = pendingCut {
                try? cut(muxer, at: pending.at, closing: pending.closing, into: state)
                for item in held {
                    try? muxer.write(item)
                    lastTimestamp = max(lastTimestamp, Int64(item.timestamp))
                }
            }
            pendingCut = nil
            held.removeAll(keepingCapacity: true)
            if let muxer, lastTimestamp > segmentStart {
                try? cut(muxer, at: lastTimestamp, closing: true, into: state)
            }
            if muxer != nil { state.withLockedValue { $0.openSegmentStart = nil } }
            muxer = nil
        }
    }
}
