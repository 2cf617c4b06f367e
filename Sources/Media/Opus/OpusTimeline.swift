/// Stamps Opus packets on a continuous 48 kHz timeline from the millisecond times of the AAC
/// frames that feed them.
///
/// The rule:
/// - The first AAC frame anchors the timeline: its first sample is at `timestampMs × 48`.
/// - After that, stamps come from sample counts (each packet is 960 after the previous one),
///   not from the incoming times, so rounding and jitter in FLV millisecond times never make
///   gaps or overlaps.
/// - Each incoming frame's time, mapped onto the timeline (`ms × 48 + offset48k`), is compared
///   with where its samples will actually land (the timeline position after the samples
///   already queued). A difference up to ``jumpThreshold48k`` (500 ms) is ignored.
/// - A jump forward beyond that (audio stopped and resumed, a publisher whose clock runs
///   ahead) moves the timeline forward to the incoming time: the gap stays in the stamps, so
///   audio keeps its place relative to the source's other media. Samples already queued
///   (under 20 ms) are stamped just before the new audio.
/// - A jump backward beyond that (publisher restart from 0, 32-bit millisecond wrap) cannot be
///   followed without going back, so ``offset48k`` changes instead: the timeline continues
///   from its current position and later times map relative to the new anchor.
///
/// Stamps therefore never decrease and never repeat.
package struct OpusTimeline {
    static let jumpThreshold48k: Int64 = 500 * 48

    /// Timeline position of the next packet's first sample; nil before the first frame.
    private(set) var next48k: Int64?
    /// Added to `ms × 48` to place an incoming time on the timeline.
    private(set) var offset48k: Int64 = 0
    /// How many times a jump re-anchored the timeline.
    private(set) var reanchors = 0

    package init() {}

    /// Places an incoming frame stamped `timestampMs`, arriving while `queued` samples wait.
    package mutating func arrive(timestampMs: UInt32, queued: Int) {
        let incoming = Int64(timestampMs) * 48 + offset48k
        guard let next = next48k else {
            next48k = incoming
            return
        }
        let position = next + Int64(queued)
        let drift = incoming - position
        if drift > Self.jumpThreshold48k {
            next48k = next + drift
            reanchors += 1
        } else if drift < -Self.jumpThreshold48k {
            offset48k += -drift
            reanchors += 1
        }
    }

    /// The stamp for the next packet; advances by `duration` samples.
    package mutating func stamp(duration: Int) -> UInt64 {
        let now = next48k ?? 0
        next48k = now + Int64(duration)
        return UInt64(max(now, 0))
    }
}
