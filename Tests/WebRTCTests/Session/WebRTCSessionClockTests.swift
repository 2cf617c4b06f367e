import Foundation
import NIOCore
import RelayCore
import Testing

@testable import WebRTC

/// A session reads no clock: its sender reports, round trips and live-view figures come from the
/// times it is given (a fake monotonic clock and a fake wall clock here, far from the real ones).
@Suite("WebRTC session time")
struct WebRTCSessionClockTests {
    /// A monotonic instant no real clock is near.
    static let start = NIODeadline.uptimeNanoseconds(7_000_000_000_000)

    @Test("sender reports carry the wall clock given; the round trip is measured from the arrival time given")
    func reportsAndRoundTripUseTheGivenClock() throws {
        let output = DatagramCollector()
        let session = try WebRTCSessionTests.makeSession(now: Self.start)
        let viewer = try WebRTCSessionTests.connect(session, output: output, now: Self.start)
        let srtp = try #require(viewer.srtp)
        let feed = StreamRetransmissions()
        session.send(feed.record(WebRTCSessionTests.keyframe(timestamp: 9000)), from: feed, now: Self.start, output: output)
        _ = output.take()

        // Nothing before the report interval of the given clock; one SR (video) at it.
        #expect(session.tick(now: Self.start + .milliseconds(500), wallClock: testWallClock, output: output).isEmpty)
        #expect(output.take().isEmpty)
        let reportedAt = testWallClock.addingTimeInterval(3)
        _ = session.tick(now: Self.start + .seconds(1), wallClock: reportedAt, output: output)
        var report = try #require(output.take().first)
        try srtp.unprotectRTCP(&report)
        let packets = try RTCPCompound.parse(report)
        guard case .senderReport(let sr) = try #require(packets.first) else {
            Issue.record("not a sender report: \(packets)")
            return
        }
        let sent = NTPTimestamp(wallClock: reportedAt)
        #expect(sr.ntpTime == sent.value)
        #expect(sr.rtpTimestamp == session.video!.lastTimestamp! &+ 90_000)  // 1 s of the given clock later

        // The viewer held the SR 0.25 s and its RR arrives 0.35 s after the SR left: 100 ms.
        var rr = RTCPWriter.receiverReport(
            ssrc: 1,
            reports: [
                RTCPReportBlock(ssrc: session.video!.ssrc, lastSenderReport: sent.middle32, delaySinceLastSenderReport: 65536 / 4)
            ])
        try srtp.protectRTCP(&rr)
        _ = session.receive(rr, from: viewer.address, now: Self.start + .seconds(2), wallClock: reportedAt.addingTimeInterval(0.35), output: output)
        let rtt = try #require(session.stats.rttMs)
        #expect(abs(rtt - 100) < 0.1, "\(rtt)")

        // The live view's since and rate come from the wall clock given.
        let snapshot = session.viewerSnapshot(at: testWallClock.addingTimeInterval(10))
        #expect(snapshot.since == testWallClock)
        #expect(snapshot.sendKbps == Int(Double(session.stats.bytesSent) * 8 / 1000 / 10))
    }

    @Test("the session says when to wake: connect timeout, DTLS retransmission, sender report, on the clock given")
    func nextWakeFollowsTheGivenClock() throws {
        let output = DatagramCollector()
        let session = try WebRTCSessionTests.makeSession(now: Self.start)
        let connectTimeout = Self.start + .seconds(15) + .nanoseconds(1)
        #expect(session.nextWake(after: Self.start) == connectTimeout)

        // ICE, then a ClientHello whose answering flight is lost: the DTLS deadline is 1 s after it.
        let viewer = WebRTCSessionTests.Viewer(dtls: try DTLSTransport(context: WebRTCSessionTests.browserContext, role: .client))
        let request = STUNMessage.bindingRequest(
            transactionID: .random(), username: "\(session.local.ufrag):browser", password: session.local.password,
            priority: 1_845_501_695, useCandidate: true, iceControlling: 42
        )
        _ = session.receive(request, from: viewer.address, now: Self.start, wallClock: testWallClock, output: output)
        let helloAt = Self.start + .milliseconds(20)
        for hello in try viewer.dtls.start(now: helloAt) {
            _ = session.receive(hello, from: viewer.address, now: helloAt, wallClock: testWallClock, output: output)
        }
        #expect(session.state == .handshaking)
        _ = output.take()
        #expect(session.nextWake(after: helloAt) == helloAt + .seconds(1))

        // Connected: the next sender report, one interval after the last (the creation time here).
        let live = try WebRTCSessionTests.makeSession(now: Self.start)
        _ = try WebRTCSessionTests.connect(live, output: output, now: Self.start)
        let feed = StreamRetransmissions()
        live.send(feed.record(WebRTCSessionTests.keyframe(timestamp: 9000)), from: feed, now: Self.start, output: output)
        _ = output.take()
        let wake = try #require(live.nextWake(after: Self.start))
        #expect(wake == Self.start + .seconds(1))
        _ = live.tick(now: wake - .nanoseconds(1), wallClock: testWallClock, output: output)
        #expect(output.take().isEmpty)
        _ = live.tick(now: wake, wallClock: testWallClock, output: output)
        #expect(output.take().count == 1)
        #expect(live.nextWake(after: wake) == wake + .seconds(1))
    }
}
