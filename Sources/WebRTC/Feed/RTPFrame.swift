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
