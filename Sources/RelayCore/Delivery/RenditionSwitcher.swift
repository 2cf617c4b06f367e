import NIOConcurrencyHelpers
import NIOCore

/// Feeds one adaptive player's outlet from one rung stream at a time, and moves it to another
/// rung only at a keyframe of the new rung: the new rung's sequence headers go out first, then
/// its keyframe and media; nothing older than what the player already has is sent, so the
/// player sees one stream with non-decreasing timestamps.
///
/// Rungs of one source carry the source's timestamps and keyframes at the same instants, so the
/// new rung's next keyframe continues where the old rung stopped. Called on the publishers'
/// threads under their streams' locks: takes only its own lock and the outlet's.
public final class RenditionSwitcher: Sendable {
    public let outlet: any AdaptiveOutlet
    struct State {
        var active: RenditionTap?
        var pending: RenditionTap?
        var pendingMetadata: MediaMessage?
        var pendingVideoHeader: MediaMessage?
        var pendingAudioHeader: MediaMessage?
        var lastVideo: UInt32?
        var lastAudio: UInt32?
    }
    private let state = NIOLockedValueBox(State())
    /// Called (under a stream's lock, so it must only hand off) when a tap stopped being used.
    private let retire: @Sendable (RenditionTap) -> Void

    public init(outlet: any AdaptiveOutlet, retire: @escaping @Sendable (RenditionTap) -> Void) {
        self.outlet = outlet
        self.retire = retire
    }

    /// Makes `tap` the player's stream at once (the first subscription).
    public func start(with tap: RenditionTap) {
        state.withLockedValue { $0.active = tap }
    }

    /// Asks for `tap` to take over at its next keyframe. A switch still pending is abandoned
    /// (and that tap returned).
    public func prepare(_ tap: RenditionTap) -> RenditionTap? {
        state.withLockedValue { state in
            let abandoned = state.pending
            state.pending = tap
            state.pendingMetadata = nil
            state.pendingVideoHeader = nil
            state.pendingAudioHeader = nil
            return abandoned
        }
    }

    /// Abandons a pending switch; returns its tap.
    public func cancelPending() -> RenditionTap? {
        state.withLockedValue { state in
            defer { state.pending = nil }
            return state.pending
        }
    }

    /// The taps in use: the one feeding the player and the one it is switching to.
    public var taps: (active: RenditionTap?, pending: RenditionTap?) {
        state.withLockedValue { ($0.active, $0.pending) }
    }

    func isActive(_ tap: RenditionTap) -> Bool { state.withLockedValue { $0.active === tap } }

    func deliver(_ item: StreamItem, from tap: RenditionTap, streamHasVideo: Bool) {
        let retired = state.withLockedValue { state -> RenditionTap? in
            if tap === state.active {
                if case .media(let message) = item, !message.isSequenceHeader {
                    switch message.kind {
                    case .video:
                        if let last = state.lastVideo, message.timestamp < last { return nil }
                        state.lastVideo = message.timestamp
                    case .audio:
                        // After a switch the new rung's copy of audio already sent is skipped.
                        if let last = state.lastAudio, message.timestamp <= last { return nil }
                        state.lastAudio = message.timestamp
                    case .metadata:
                        break
                    }
                }
                outlet.enqueue(item, streamHasVideo: streamHasVideo)
                return nil
            }
            guard tap === state.pending, case .media(let message) = item else { return nil }
            if message.kind == .metadata {
                state.pendingMetadata = message
                return nil
            }
            if message.isSequenceHeader {
                if message.kind == .video { state.pendingVideoHeader = message } else { state.pendingAudioHeader = message }
                return nil
            }
            guard message.kind == .video, message.isKeyframe, message.timestamp >= (state.lastVideo ?? 0),
                let videoHeader = state.pendingVideoHeader
            else { return nil }
            // The switch: the new rung's configuration, stamped with the keyframe's time, then the keyframe.
            let at = message.timestamp
            if let metadata = state.pendingMetadata { outlet.enqueue(.media(Self.copy(metadata, at: at)), streamHasVideo: true) }
            outlet.enqueue(.media(Self.copy(videoHeader, at: at)), streamHasVideo: true)
            if let audio = state.pendingAudioHeader { outlet.enqueue(.media(Self.copy(audio, at: at)), streamHasVideo: true) }
            outlet.enqueue(item, streamHasVideo: true)
            state.lastVideo = message.timestamp
            let old = state.active
            state.active = tap
            state.pending = nil
            state.pendingMetadata = nil
            state.pendingVideoHeader = nil
            state.pendingAudioHeader = nil
            return old
        }
        if let retired { retire(retired) }
    }

    /// A private copy of a configuration message at another time (framed for this player only:
    /// the shared one's framing carries the time it was published at). Only at a switch.
    private static func copy(_ message: MediaMessage, at timestamp: UInt32) -> MediaMessage {
        var payload = MediaMessage.allocatePayload(capacity: message.size, allocator: ByteBufferAllocator())
        var body = message.payload
        payload.writeBuffer(&body)
        return MediaMessage(kind: message.kind, timestamp: timestamp, payload: payload)
    }
}
