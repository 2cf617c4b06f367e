public import NIOCore

/// What one WHEP client received, counted as it arrived.
public struct WHEPClientStats: Sendable {
    /// SRTP and SRTCP datagrams' bytes as they came off the wire.
    public var wireBytes = 0
    public var videoPackets = 0
    public var audioPackets = 0
    /// Packets missing from the sequence (expected − received, both tracks).
    public var lostPackets = 0
    public var unprotectFailures = 0
    public var frames = 0
    public var keyframes = 0
    public var stalls = 0
    public var senderReports = 0
    public var checksSent = 0
    public var checksAnswered = 0
    /// Times since the session was created.
    public var iceCompletedAt: TimeAmount?
    public var connectedAt: TimeAmount?
    public var firstKeyframeAt: TimeAmount?
    public var lastFrameAt: NIODeadline?
}

/// A complete video frame as it arrived.
public struct WHEPReceivedFrame: Sendable {
    public var rtpTimestamp: UInt32
    public var isKeyframe: Bool
    /// ``WHEPClientSession/nalFingerprint(_:)`` of the frame's first IDR NAL unit, if it has one.
    public var idrFingerprint: UInt64?
}
