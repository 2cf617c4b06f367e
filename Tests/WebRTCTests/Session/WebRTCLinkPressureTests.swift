import NIOCore
import Testing

@testable import WebRTC

/// RTCP feedback read as a link's queue and throughput for the rung selector.
@Suite("WebRTC link pressure")
struct WebRTCLinkPressureTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func theRoundTripAboveTheShortestIsTheQueue() {
        var pressure = WebRTCLinkPressure()
        #expect(
            pressure.read(rttMs: 20, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
                == .init(backlogMillis: 0, throughputKbps: nil))
        #expect(
            pressure.read(
                rttMs: 420, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 250_000, now: Self.start + .seconds(1))
                == .init(backlogMillis: 400, throughputKbps: nil))
        #expect(
            pressure.read(
                rttMs: nil, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 500_000, now: Self.start + .seconds(2))
                == nil)
    }

    @Test func heavyLossIsAFullQueueAndWhatArrivedIsTheThroughput() {
        var pressure = WebRTCLinkPressure()
        _ = pressure.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        // 3 Mbit/s sent in the last second, half of it lost: the link carries about 1.5 Mbit/s.
        let reading = pressure.read(
            rttMs: 10, fractionLost: 0.5, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 375_000, now: Self.start + .seconds(1))
        #expect(reading?.backlogMillis == 1501)
        #expect(reading?.throughputKbps == 1500)
        // The receiver's own estimate (REMB) is preferred.
        let estimated = pressure.read(
            rttMs: 10, fractionLost: 0.5, estimatedBitrate: 900_000, stepDownBacklogMillis: 1500, bytesSent: 750_000, now: Self.start + .seconds(2))
        #expect(estimated?.throughputKbps == 900)
    }

    /// One reading a second of `sentKbps` sent and the receiver's `estimateKbps`, no loss and a
    /// flat round trip (a bottleneck with a short queue); the backlog each reading says.
    /// `rungChangedBefore`: the reading before which the viewer changed rungs.
    static func backlogs(
        _ pressure: inout WebRTCLinkPressure, _ seconds: [(sentKbps: Int, estimateKbps: Int)], rungChangedBefore: Int? = nil
    ) -> [UInt32?] {
        var bytes = 0
        return seconds.enumerated().map { second, rates in
            if second == rungChangedBefore { pressure.rungChanged() }
            bytes += rates.sentKbps * 1000 / 8
            return pressure.read(
                rttMs: 10, fractionLost: 0, estimatedBitrate: rates.estimateKbps * 1000, stepDownBacklogMillis: 1500, bytesSent: bytes,
                now: start + .seconds(Int64(second + 1)))?.backlogMillis
        }
    }

    @Test func anEstimateThatFellBelowWhatIsSentForTwoReadingsIsAFullQueue() {
        var pressure = WebRTCLinkPressure()
        _ = pressure.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        // 720p at ~1.9 Mbit/s with the estimate above it, then the link is cut to 1 Mbit/s: no
        // loss reported, the round trip flat, the estimate down to 440 kbit/s.
        let backlogs = Self.backlogs(&pressure, [(1900, 2700), (1900, 2800), (1900, 600), (1900, 440), (1900, 440)])
        #expect(backlogs == [0, 0, 0, 1501, 1501])
        var again = WebRTCLinkPressure()
        _ = again.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        _ = Self.backlogs(&again, [(1900, 2700), (1900, 600)])
        let reading = again.read(
            rttMs: 10, fractionLost: 0, estimatedBitrate: 440_000, stepDownBacklogMillis: 1500, bytesSent: 3 * 1900 * 1000 / 8,
            now: Self.start + .seconds(3))
        #expect(reading == .init(backlogMillis: 1501, throughputKbps: 440), "the estimate is the throughput the selector fits")
        // The cut in a session's first seconds, before the estimate had climbed to what was sent.
        var early = WebRTCLinkPressure()
        _ = early.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        #expect(Self.backlogs(&early, [(1900, 300), (1900, 900), (1900, 1300), (1900, 500), (1900, 341)]) == [0, 0, 0, 0, 1501])
    }

    @Test func anEstimateStillClimbingOrLeftBehindByTheRateIsNotAQueue() {
        // A session's first seconds: Chromium's estimator starts at 300 kbit/s and climbs while
        // 720p is sent, backing off a little on the first picture's burst.
        var starting = WebRTCLinkPressure()
        _ = starting.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        #expect(Self.backlogs(&starting, [(1900, 300), (1900, 450), (1900, 800), (1900, 680), (1900, 1300), (1900, 2100)]) == [0, 0, 0, 0, 0, 0])
        // Slides at 400 kbit/s with the estimate at 900, then motion at 1.9 Mbit/s: the estimate
        // stayed where it was; it did not fall.
        var slides = WebRTCLinkPressure()
        _ = slides.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        #expect(Self.backlogs(&slides, [(400, 900), (400, 900), (1900, 900), (1900, 900), (1900, 950)]) == [0, 0, 0, 0, 0])
        // A step up from 360p to 720p: the fall is measured from the estimate's highest after the
        // change, not from the 2 Mbit/s it reached before it while 360p was sent.
        var stepped = WebRTCLinkPressure()
        _ = stepped.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: Self.start)
        let afterStepUp = Self.backlogs(&stepped, [(500, 2000), (500, 2000), (1900, 900), (1900, 900), (1900, 1200)], rungChangedBefore: 2)
        #expect(afterStepUp == [0, 0, 0, 0, 0])
    }
}
