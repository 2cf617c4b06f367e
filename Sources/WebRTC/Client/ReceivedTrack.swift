/// Sequence accounting for one received SSRC (RFC 3550 appendix A.1, without probation): the
/// extended highest sequence number, packets received, and what a receiver report says.
struct ReceivedTrack {
    private(set) var ssrc: UInt32?
    private var base: UInt32 = 0
    private var cycles: UInt32 = 0
    private var highest: UInt16 = 0
    private(set) var received = 0
    private var expectedAtLastReport = 0
    private var receivedAtLastReport = 0

    var extendedHighest: UInt32 { cycles | UInt32(highest) }
    var expected: Int { ssrc == nil ? 0 : Int(extendedHighest) - Int(base) + 1 }
    var lost: Int { max(0, expected - received) }

    /// Counts a packet; a new SSRC restarts the count.
    mutating func receive(sequence: UInt16, ssrc: UInt32) {
        if self.ssrc != ssrc {
            self = ReceivedTrack()
            self.ssrc = ssrc
            base = UInt32(sequence)
            highest = sequence
            received = 1
            return
        }
        received += 1
        let delta = sequence &- highest
        if delta != 0, delta < 0x8000 {
            if sequence < highest { cycles &+= 0x1_0000 }
            highest = sequence
        }
    }

    /// The report block for this track (fraction lost since the last one), or nil before any packet.
    mutating func reportBlock(lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) -> RTCPReportBlock? {
        guard let ssrc else { return nil }
        let expectedInterval = expected - expectedAtLastReport
        let receivedInterval = received - receivedAtLastReport
        expectedAtLastReport = expected
        receivedAtLastReport = received
        let lostInterval = expectedInterval - receivedInterval
        let fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(clamping: lost), highestSequenceNumber: extendedHighest,
            jitter: 0, lastSenderReport: lastSenderReport, delaySinceLastSenderReport: delaySinceLastSenderReport
        )
    }
}

/// The video frame being received: its timestamp and, once its first slice is seen, whether it
/// is an IDR picture (then with the slice's fingerprint).
struct FrameAssembly {
    var timestamp: UInt32?
    /// A slice NAL unit (IDR or not) has been seen: the frame's kind is known.
    var sliceSeen = false
    var idrFingerprint: UInt64?

    var isKeyframe: Bool { idrFingerprint != nil }
}
