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
}
