import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One live stream: at most one publisher, any number of subscribers, and what a new player
/// needs to start at once (metadata, sequence headers, the current group of pictures).
///
/// All state sits behind one lock taken by the publisher's thread for each message; subscribers
/// are only appended to (see ``PlayerOutlet``), so the publisher never waits for a player.
public final class LiveStream: Sendable {
    public let key: StreamKey

    struct State {
        var publisher: (any StreamPublisher)?
        var generation: UInt64 = 0
        var subscribers: [any StreamSubscriber] = []
        var gop: GOPCache
        var metadata: MediaMessage?
        var videoHeader: MediaMessage?
        var audioHeader: MediaMessage?
        var hasVideo = false
        /// An HTTP-FLV player subscribed once: messages get their FLV framing before fan-out.
        var framesFLV = false
        var timestampOffset: Int64 = 0
        var lastTimestamp: UInt32?
        var rebasePending = false
        /// After a rebase no timestamp goes below this, whatever order the new publisher sends in.
        var timestampFloor: UInt32 = 0
        var graceTimer: Scheduled<Void>?
        var removed = false
        var messagesIn = 0
        var bytesIn = 0
        var publisherInfo: PublisherInfo?
        var bytesInAtPublish = 0
        var video: VideoInfo?
        /// Measured from the video's timestamps, shown where the publisher's metadata has no rate.
        var frameRate = FrameRateMeter()
        /// The stage's sites and their mix-minus packets since the GOP's keyframe.
        var mixMinus = MixMinusReplay()
    }
    let state: NIOLockedValueBox<State>
    let framer: MessageFramer

    init(key: StreamKey, gopCacheBytes: Int, framer: @escaping MessageFramer) {
        self.key = key
        self.framer = framer
        self.state = NIOLockedValueBox(State(gop: GOPCache(maxBytes: gopCacheBytes)))
    }

    /// True while a publisher is attached.
    public var isPublished: Bool { state.withLockedValue { $0.publisher != nil } }

    /// The attached publisher's description (nil while none is attached), without a snapshot's
    /// walk over the viewers.
    public var publisher: PublisherInfo? { state.withLockedValue { $0.publisher == nil ? nil : $0.publisherInfo } }

    public var subscriberCount: Int { state.withLockedValue { $0.subscribers.count } }

    /// Whether a subscriber takes `site`'s mix-minus (a player of that site): a transcoder
    /// encodes a site's mix-minus only where it is played.
    public func hasSubscriber(mixMinusSite site: String) -> Bool {
        state.withLockedValue { state in state.subscribers.contains { $0.mixMinusSite == site } }
    }

    /// Whether `site` is on the class's stage as the stream's latest audio carried it: its
    /// players take its mix-minus, never this stream's own audio (an HLS variant then packages
    /// a copy of its own for that site's clients).
    public func hasOnStage(_ site: String) -> Bool {
        state.withLockedValue { $0.mixMinus.withholdsProgram(from: site) }
    }

    /// Whether a subscriber wants the stream's pictures (not only its audio): a transcoder
    /// encodes a rung's video only then.
    public var hasVideoSubscriber: Bool {
        state.withLockedValue { state in state.subscribers.contains { $0.wantsVideo } }
    }

    /// Media messages and payload bytes received from publishers.
    public var inputCounters: (messages: Int, bytes: Int) {
        state.withLockedValue { ($0.messagesIn, $0.bytesIn) }
    }

    /// The latest video and audio sequence headers, for whoever needs codec parameters.
    public var sequenceHeaders: (video: MediaMessage?, audio: MediaMessage?) {
        state.withLockedValue { ($0.videoHeader, $0.audioHeader) }
    }

    /// The stream's state for the live view.
    public func snapshot() -> StreamSnapshot {
        let (state, subscribers) = self.state.withLockedValue { ($0, $0.subscribers) }
        var inputKbps = 0
        if let info = state.publisherInfo {
            let seconds = max(Date().timeIntervalSince(info.since), 0.001)
            inputKbps = Int(Double(state.bytesIn - state.bytesInAtPublish) * 8 / 1000 / seconds)
        }
        let viewers = subscribers.flatMap { subscriber -> [ViewerSnapshot] in
            if let viewer = subscriber as? any ViewerReporting {
                return viewer.isReportedViewer ? [viewer.viewerSnapshot] : []
            }
            return (subscriber as? any ViewerGroupReporting)?.viewerSnapshots ?? []
        }
        return StreamSnapshot(
            key: key, publisher: state.publisher == nil ? nil : state.publisherInfo,
            video: state.video.map { info in
                var info = info
                if info.fps <= 0, let measured = state.frameRate.framesPerSecond { info.fps = measured }
                return info
            },
            inputKbps: inputKbps, inputBytes: state.bytesIn, viewers: viewers
        )
    }

    /// Records what the publisher said about its video.
    func setVideoInfo(_ info: VideoInfo, generation: UInt64) {
        state.withLockedValue { state in
            if state.generation == generation { state.video = info }
        }
    }

    /// Hands one message from the publisher of `generation` to every subscriber.
    func publish(_ input: MediaMessage, generation: UInt64, mixMinus: [String: MediaMessage] = [:], stage: Set<String> = []) {
        state.withLockedValue { state in
            guard state.generation == generation, state.publisher != nil else { return }
            var message = input
            if state.rebasePending {
                // A returning or new publisher restarts its clock: continue where players are.
                if let last = state.lastTimestamp {
                    state.timestampOffset = Int64(last) + 1 - Int64(message.timestamp)
                    state.timestampFloor = last &+ 1
                }
                state.rebasePending = false
            }
            let shifted = Int64(message.timestamp) + state.timestampOffset
            message.timestamp = max(UInt32(clamping: max(0, shifted)), state.timestampFloor)
            if message.kind != .metadata {
                state.lastTimestamp = max(state.lastTimestamp ?? 0, message.timestamp)
            }
            framer(&message)
            if state.framesFLV { message.flvFraming = FLVTag.framing(for: message) }
            state.messagesIn &+= 1
            state.bytesIn &+= message.size

            switch message.kind {
            case .metadata:
                state.metadata = message
            case .video:
                state.hasVideo = true
                if message.isSequenceHeader {
                    state.videoHeader = message
                } else {
                    if message.isKeyframe { state.mixMinus.keyframe() }
                    state.gop.append(message)
                    state.frameRate.record(timestamp: message.timestamp)
                }
            case .audio:
                if message.isSequenceHeader { state.audioHeader = message } else { state.gop.append(message) }
            }
            let hasVideo = state.hasVideo
            let isAudio = message.kind == .audio && !message.isSequenceHeader
            guard isAudio, !stage.isEmpty || !state.mixMinus.stageSites.isEmpty else {
                for subscriber in state.subscribers { subscriber.enqueue(.media(message), streamHasVideo: hasVideo) }
                return
            }
            // A site's players get its mix-minus at the program's time, framed once for them all;
            // a player of an on-stage site without one yet gets nothing (never its own voice).
            var alternatives: [String: MediaMessage] = [:]
            for (site, var alternative) in mixMinus {
                alternative.timestamp = message.timestamp
                framer(&alternative)
                if state.framesFLV { alternative.flvFraming = FLVTag.framing(for: alternative) }
                alternatives[site] = alternative
            }
            state.mixMinus.audio(stage: stage, alternatives: alternatives)
            for subscriber in state.subscribers {
                let site = subscriber.mixMinusSite
                if let own = site.flatMap({ alternatives[$0] }) {
                    subscriber.enqueue(.media(own), streamHasVideo: hasVideo)
                } else if !state.mixMinus.withholdsProgram(from: site) {
                    subscriber.enqueue(.media(message), streamHasVideo: hasVideo)
                }
            }
        }
    }

    /// Adds a subscriber and hands it what it needs to start: configuration, then the cached GOP.
    func addSubscriber(_ subscriber: any StreamSubscriber) {
        state.withLockedValue { state in
            state.subscribers.append(subscriber)
            if subscriber.wantsFLVFraming { state.framesFLV = true }
            let hasVideo = state.hasVideo
            for config in [state.metadata, state.videoHeader, state.audioHeader] {
                if let config { subscriber.enqueue(.media(config), streamHasVideo: hasVideo) }
            }
            let site = subscriber.mixMinusSite
            for message in state.gop.messages {
                if let replayed = state.mixMinus.replayed(message, to: site) { subscriber.enqueue(.media(replayed), streamHasVideo: hasVideo) }
            }
        }
    }

    /// Removes a subscriber; returns true when the stream is now unused (no publisher, no
    /// subscribers, no grace period running).
    func removeSubscriber(_ subscriber: any StreamSubscriber) -> Bool {
        state.withLockedValue { state in
            state.subscribers.removeAll { $0 === subscriber }
            return state.subscribers.isEmpty && state.publisher == nil && state.graceTimer == nil
        }
    }
}
