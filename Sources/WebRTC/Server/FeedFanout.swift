import NIOCore
import RelayCore

/// The event-loop side of one stream feed: its viewers and the group of pictures a new viewer
/// starts on. Video viewers watch this feed's picture; audio viewers hear it (a source feed or a
/// program-audio feed); pending viewers move here at its next keyframe (a rung switch), pending
/// listeners at its next audio frame (a stage change).
final class FeedFanout {
    let key: FeedKey
    let feed: StreamFeed
    private(set) var gop: [RTPFrame] = []
    /// The feed's recent video packets, for every viewer's NACKs.
    let retransmissions = StreamRetransmissions()
    private var gopBytes = 0
    var video: [String: WebRTCSession] = [:]
    var audio: [String: WebRTCSession] = [:]
    var pending: [String: WebRTCSession] = [:]
    var audioPending: [String: WebRTCSession] = [:]
    /// Sessions still connecting that will watch this feed: they keep it (and its GOP) warm.
    var connecting: [String: WebRTCSession] = [:]
    /// The feed's pictures have B-frames (a composition offset): a browser plays them out of
    /// order, so no viewer stays on this feed once a rung exists.
    var hasBFrames = false
    /// A GOP larger than this is not cached past its start (new viewers then wait for a keyframe).
    static let maxGOPBytes = 4 << 20

    init(key: FeedKey, feed: StreamFeed) {
        self.key = key
        self.feed = feed
    }

    var isUnused: Bool { video.isEmpty && audio.isEmpty && pending.isEmpty && audioPending.isEmpty && connecting.isEmpty }

    /// Stores a video frame's packets for NACKs and caches it in the GOP; returns it with its
    /// packets' index (what viewers are then sent).
    func remember(_ frame: RTPFrame) -> RTPFrame {
        guard frame.track == .video else { return frame }
        let frame = retransmissions.record(frame)
        cacheInGOP(frame)
        return frame
    }

    private func cacheInGOP(_ frame: RTPFrame) {
        if frame.isKeyframe {
            gop = [frame]
            gopBytes = frame.byteCount
        } else if !gop.isEmpty {
            gopBytes += frame.byteCount
            if gopBytes > Self.maxGOPBytes { gop = [] } else { gop.append(frame) }
        }
    }

    func forgetGOP() {
        gop = []
        gopBytes = 0
    }

    func remove(_ session: WebRTCSession) {
        video[session.id] = nil
        audio[session.id] = nil
        pending[session.id] = nil
        audioPending[session.id] = nil
        connecting[session.id] = nil
    }
}

@available(*, unavailable)
extension FeedFanout: Sendable {}
