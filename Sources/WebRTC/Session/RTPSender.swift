import NIOCore

/// One track a viewer is sent (video or audio): its SSRC and payload type, and the viewer's own
/// sequence numbers and timestamp offset over the stream's shared payloads. Counts what RTCP
/// sender reports need. Pure value; the session owns it.
struct RTPSender {
    let ssrc: UInt32
    let payloadType: UInt8
    let clockRate: UInt32
    private(set) var sequence: UInt16
    /// Viewer timestamp = stream timestamp &+ offset.
    private(set) var timestampOffset: UInt32
    private(set) var packetCount: UInt32 = 0
    private(set) var octetCount: UInt32 = 0
    /// The newest timestamp sent and when (for sender reports).
    private(set) var lastTimestamp: UInt32?
    private(set) var lastSentAt: NIODeadline?

    init<G: RandomNumberGenerator>(ssrc: UInt32, payloadType: UInt8, clockRate: UInt32, using generator: inout G) {
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.clockRate = clockRate
        sequence = UInt16.random(in: 0...0x7FFF, using: &generator)
        timestampOffset = UInt32.random(in: 0...UInt32.max, using: &generator)
    }

    /// The viewer timestamp of a stream timestamp.
    func timestamp(for streamTimestamp: UInt32) -> UInt32 { streamTimestamp &+ timestampOffset }

    /// Re-anchors the offset so `streamTimestamp` maps to `viewerTimestamp` (a rung switch, or the
    /// end of a start-up burst), keeping the viewer's timeline continuous.
    mutating func anchor(streamTimestamp: UInt32, to viewerTimestamp: UInt32) {
        timestampOffset = viewerTimestamp &- streamTimestamp
    }

    /// Takes the next sequence number for a packet of `payloadBytes` sent at `now` with `timestamp`.
    mutating func next(payloadBytes: Int, timestamp: UInt32, now: NIODeadline) -> UInt16 {
        let sequence = self.sequence
        self.sequence &+= 1
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: payloadBytes)
        lastTimestamp = timestamp
        lastSentAt = now
        return sequence
    }

    /// The RTP time matching `now` on the viewer's timeline, for a sender report: the last sent
    /// timestamp advanced by the time since it was sent.
    func reportTimestamp(now: NIODeadline) -> UInt32? {
        guard let lastTimestamp, let lastSentAt else { return nil }
        let elapsed = max(0, (now - lastSentAt).nanoseconds)
        return lastTimestamp &+ UInt32(truncatingIfNeeded: elapsed * Int64(clockRate) / 1_000_000_000)
    }
}
