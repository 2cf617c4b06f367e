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

    /// A new viewer's pressure (a first reading with nothing sent), then one reading a second of
    /// `sentKbps` sent and the receiver's `estimateKbps`, no loss and a flat round trip (a
    /// bottleneck with a short queue): what each of those readings says.
    /// `rungChangedBefore`: the reading before which the viewer changed rungs.
    static func readings(_ seconds: [(sentKbps: Int, estimateKbps: Int)], rungChangedBefore: Int? = nil) -> [WebRTCLinkPressure.Reading?] {
        var pressure = WebRTCLinkPressure()
        _ = pressure.read(rttMs: 10, fractionLost: 0, estimatedBitrate: nil, stepDownBacklogMillis: 1500, bytesSent: 0, now: start)
        var bytes = 0
        return seconds.enumerated().map { second, rates in
            if second == rungChangedBefore { pressure.rungChanged() }
            bytes += rates.sentKbps * 1000 / 8
            return pressure.read(
                rttMs: 10, fractionLost: 0, estimatedBitrate: rates.estimateKbps * 1000, stepDownBacklogMillis: 1500, bytesSent: bytes,
                now: start + .seconds(Int64(second + 1)))
        }
    }

    /// The backlog each of ``readings(_:rungChangedBefore:)`` says.
    static func backlogs(_ seconds: [(sentKbps: Int, estimateKbps: Int)], rungChangedBefore: Int? = nil) -> [UInt32?] {
        readings(seconds, rungChangedBefore: rungChangedBefore).map { $0?.backlogMillis }
    }

    @Test func anEstimateThatFellBelowWhatIsSentForTwoReadingsIsAFullQueue() {
        // 720p at ~1.9 Mbit/s with the estimate above it, then the link is cut to 1 Mbit/s: no
        // loss reported, the round trip flat, the estimate down to 440 kbit/s.
        let cut = Self.readings([(1900, 2700), (1900, 2800), (1900, 600), (1900, 440), (1900, 440)])
        #expect(cut.map { $0?.backlogMillis } == [0, 0, 0, 1501, 1501])
        #expect(cut[3] == .init(backlogMillis: 1501, throughputKbps: 440), "the estimate is the throughput the selector fits")
        // The cut in a session's first seconds, before the estimate had climbed to what was sent.
        #expect(Self.backlogs([(1900, 300), (1900, 900), (1900, 1300), (1900, 500), (1900, 341)]) == [0, 0, 0, 0, 1501])
    }

    @Test func anEstimateStillClimbingOrLeftBehindByTheRateIsNotAQueue() {
        // A session's first seconds: Chromium's estimator starts at 300 kbit/s and climbs while
        // 720p is sent, backing off a little on the first picture's burst.
        #expect(Self.backlogs([(1900, 300), (1900, 450), (1900, 800), (1900, 680), (1900, 1300), (1900, 2100)]) == [0, 0, 0, 0, 0, 0])
        // Slides at 400 kbit/s with the estimate at 900, then motion at 1.9 Mbit/s: the estimate
        // stayed where it was; it did not fall.
        #expect(Self.backlogs([(400, 900), (400, 900), (1900, 900), (1900, 900), (1900, 950)]) == [0, 0, 0, 0, 0])
        // A step up from 360p to 720p: the fall is measured from the estimate's highest after the
        // change, not from the 2 Mbit/s it reached before it while 360p was sent.
        let afterStepUp = Self.backlogs([(500, 2000), (500, 2000), (1900, 900), (1900, 900), (1900, 1200)], rungChangedBefore: 2)
        #expect(afterStepUp == [0, 0, 0, 0, 0])
    }
}
