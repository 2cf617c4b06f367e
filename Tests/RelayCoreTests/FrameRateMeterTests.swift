import Testing

@testable import RelayCore

/// The live view's fps where the publisher's metadata has none: measured from timestamps.
@Suite("Frame rate meter")
struct FrameRateMeterTests {
    @Test func framesOverTwoSecondsOfTimestampsGiveTheRate() {
        var meter = FrameRateMeter()
        // 25 fps: 40 ms apart; nothing before two seconds of media time.
        for frame in 0..<50 { meter.record(timestamp: UInt32(1_000 + frame * 40)) }
        #expect(meter.framesPerSecond == nil)
        meter.record(timestamp: 1_000 + 50 * 40)
        #expect(meter.framesPerSecond == 25)
        // 30 fps with millisecond timestamps (33/33/34 ms).
        var thirty = FrameRateMeter()
        var timestamp: UInt32 = 0
        for frame in 0...61 {
            thirty.record(timestamp: timestamp)
            timestamp += frame % 3 == 2 ? 34 : 33
        }
        #expect(thirty.framesPerSecond.map { abs($0 - 30) < 0.2 } == true, "\(String(describing: thirty.framesPerSecond))")
    }

    @Test func aClockJumpStartsAFreshWindowInsteadOfAWrongRate() {
        var meter = FrameRateMeter()
        for frame in 0...50 { meter.record(timestamp: UInt32(frame * 40)) }
        #expect(meter.framesPerSecond == 25)
        meter.record(timestamp: 10_000_000)  // a restart far ahead
        for frame in 1...100 { meter.record(timestamp: UInt32(10_000_000 + frame * 20)) }
        #expect(meter.framesPerSecond == 50)
    }
}
