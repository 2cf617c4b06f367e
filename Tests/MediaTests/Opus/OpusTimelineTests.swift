import Testing

@testable import Media

/// The timestamp rule on its own: sample-counted stamps, jitter ignored, jumps re-anchored.
@Suite("Opus timeline")
struct OpusTimelineTests {
    @Test func theFirstFrameAnchorsAndSamplesCountFromThere() {
        var timeline = OpusTimeline()
        timeline.arrive(timestampMs: 1_234, queued: 0)
        #expect(timeline.stamp(duration: 960) == 1_234 * 48)
        #expect(timeline.stamp(duration: 960) == 1_234 * 48 + 960)
    }

    @Test func jitterBelowHalfASecondIsIgnored() {
        var timeline = OpusTimeline()
        timeline.arrive(timestampMs: 0, queued: 0)
        _ = timeline.stamp(duration: 960)
        timeline.arrive(timestampMs: 400, queued: 0)  // 380 ms ahead of the samples
        timeline.arrive(timestampMs: 0, queued: 0)  // 20 ms behind
        #expect(timeline.reanchors == 0)
        #expect(timeline.stamp(duration: 960) == 960)
    }

    @Test func forwardJumpsMoveAheadAndBackwardJumpsContinue() {
        var timeline = OpusTimeline()
        timeline.arrive(timestampMs: 10_000, queued: 0)
        _ = timeline.stamp(duration: 960)
        timeline.arrive(timestampMs: 20_000, queued: 100)  // 100 samples queued land just before
        #expect(timeline.stamp(duration: 960) == 20_000 * 48 - 100)
        let position = 20_000 * 48 - 100 + 960
        timeline.arrive(timestampMs: 0, queued: 0)  // restart
        #expect(timeline.reanchors == 2)
        #expect(timeline.offset48k == Int64(position))
        #expect(timeline.stamp(duration: 960) == UInt64(position))
        timeline.arrive(timestampMs: 20, queued: 0)  // the restarted clock now maps on
        #expect(timeline.reanchors == 2)
    }

    @Test func theMillisecondWrapContinuesForward() {
        var timeline = OpusTimeline()
        timeline.arrive(timestampMs: UInt32.max - 10, queued: 0)
        let before = timeline.stamp(duration: 960)
        timeline.arrive(timestampMs: 10, queued: 0)
        #expect(timeline.stamp(duration: 960) == before + 960)
    }
}
