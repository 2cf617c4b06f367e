import NIOCore

/// One frame of a stream, packetized once for every WebRTC viewer of it: the RTP payloads
/// (shared storage, never copied per viewer) and the stream's timestamp in the track's clock.
struct RTPFrame: Sendable {
    enum Track: Sendable { case video, audio }

    let track: Track
    let payloads: [RTPPayload]
    /// 90 kHz presentation time for video (FLV time + composition offset), 48 kHz for Opus.
    let timestamp: UInt32
    let isKeyframe: Bool
    /// The stream packet index of the first payload in its feed's `StreamRetransmissions`; set on
    /// the event loop when the feed's fan-out stores the frame, nil before (or for audio).
    var firstPacketIndex: UInt64?

    init(track: Track, payloads: [RTPPayload], timestamp: UInt32, isKeyframe: Bool) {
        self.track = track
        self.payloads = payloads
        self.timestamp = timestamp
        self.isKeyframe = isKeyframe
    }

    var byteCount: Int { payloads.reduce(0) { $0 + $1.bytes.readableBytes } }
}

/// What a stream feed tells the media server, in stream order.
enum FeedOutput: Sendable {
    case frame(RTPFrame)
    /// The source has B-frames (a composition offset): sent as is they play out of order.
    case bFramesSeen
    /// A new publisher started (viewers wait for its first keyframe).
    case publisherStarted
    /// The stream ended.
    case ended(reason: String)
}
