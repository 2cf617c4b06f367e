import NIOCore
import Testing

@testable import WebRTC

/// Retransmission runs on the clock the test gives (`DTLSTestPair.now`, far from any real clock):
/// deadlines are instants of it, and asking before one resends nothing. OpenSSL 3.0 has no clock
/// hook, so `DTLSv1_handle_timeout` also checks OpenSSL's own timer (started with the same
/// duration): these flights use 30 ms timers, and while real time passes them the tests keep
/// asking with a given time before the deadline and see nothing resent; no sleep.
@Suite("DTLS retransmission")
struct DTLSRetransmissionTests {
    static let timer = TimeAmount.milliseconds(30)

    @Test("a lost ServerHello flight is resent once the time given passes its deadline, not before")
    func lostServerFlightIsRetransmitted() async throws {
        let pair = try DTLSTestPair(serverRetransmissionTimeout: .milliseconds(30), clientRetransmissionTimeout: .seconds(30))
        try pair.start()
        #expect(pair.client.retransmissionDeadline == DTLSTestPair.testNow + .seconds(30))
        pair.now = DTLSTestPair.testNow + .milliseconds(7)
        let sentAt = pair.now
        pair.deliverToServer()
        let openSSLExpired = ContinuousClock.now + .milliseconds(30)
        let lost = pair.dropToClient()
        #expect(!lost.isEmpty)
        #expect(Self.handshakeType(lost[0]) == 2)  // ServerHello
        #expect(pair.server.retransmissionDeadline == sentAt + Self.timer)

        // Real time passes OpenSSL's own timer; the time given stays before the deadline: nothing.
        let asked = await Self.askEarly(pair.server, at: sentAt + Self.timer - .milliseconds(1), until: openSSLExpired)
        #expect(asked > 0)
        #expect(pair.server.retransmissionDeadline == sentAt + Self.timer)

        let resentAt = sentAt + Self.timer
        let retransmission = pair.server.handleTimeout(now: resentAt)
        #expect(retransmission.events.isEmpty)
        #expect(retransmission.datagrams.count == lost.count)
        #expect(retransmission.datagrams.map(\.readableBytes) == lost.map(\.readableBytes))
        #expect(retransmission.datagrams.first.map(Self.handshakeType) == 2)
        #expect(pair.server.retransmissionDeadline == resentAt + Self.timer * 2)  // doubled, on the given clock

        pair.record(retransmission, from: .server)
        pair.now = resentAt
        pair.run()
        #expect(pair.server.state == .connected)
        #expect(pair.client.state == .connected)
        #expect(DTLSTestPair.keys(in: pair.serverEvents) == DTLSTestPair.keys(in: pair.clientEvents))
        #expect(pair.server.retransmissionDeadline == nil)
    }

    @Test("a lost final server flight is resent when the client retransmits its Finished at the time given")
    func lostFinalFlightIsRecovered() async throws {
        let pair = try DTLSTestPair(serverRetransmissionTimeout: .seconds(30), clientRetransmissionTimeout: .milliseconds(30))
        try pair.start()
        pair.deliverToServer()  // ClientHello -> ServerHello..ServerHelloDone
        pair.now = DTLSTestPair.testNow + .seconds(3)
        pair.deliverToClient()  // -> Certificate..Finished
        let openSSLExpired = ContinuousClock.now + .milliseconds(30)
        #expect(pair.client.retransmissionDeadline == pair.now + Self.timer)
        pair.deliverToServer()  // -> ChangeCipherSpec, Finished (server done)
        #expect(pair.server.state == .connected)
        pair.dropToClient()
        #expect(pair.client.state == .handshaking)

        let deadline = try #require(pair.client.retransmissionDeadline)
        #expect(await Self.askEarly(pair.client, at: deadline - .milliseconds(1), until: openSSLExpired) > 0)
        let resent = pair.client.handleTimeout(now: deadline)
        #expect(!resent.datagrams.isEmpty)
        pair.record(resent, from: .client)
        pair.run()
        #expect(pair.client.state == .connected)
        #expect(DTLSTestPair.keys(in: pair.clientEvents) == DTLSTestPair.keys(in: pair.serverEvents))
        #expect(pair.client.retransmissionDeadline == nil)
    }

    @Test("no timer runs on a fresh server or after the handshake")
    func noTimerWhenIdle() throws {
        let pair = try DTLSTestPair()
        #expect(pair.server.retransmissionDeadline == nil)
        #expect(pair.server.handleTimeout(now: pair.now + .seconds(3600)).datagrams.isEmpty)
        try pair.handshake()
        #expect(pair.server.retransmissionDeadline == nil)
        #expect(pair.client.retransmissionDeadline == nil)
    }

    /// Asks `transport` to retransmit at `early` (before its deadline on the given clock) until
    /// real time reaches `openSSLExpired`, when OpenSSL's own timer has expired: nothing may be
    /// resent meanwhile. Returns how often it asked.
    static func askEarly(_ transport: DTLSTransport, at early: NIODeadline, until openSSLExpired: ContinuousClock.Instant) async -> Int {
        var asked = 0
        while ContinuousClock.now < openSSLExpired || asked == 0 {
            #expect(transport.handleTimeout(now: early).datagrams.isEmpty)
            asked += 1
            await Task.yield()
        }
        return asked
    }

    /// The handshake message type of the first record, if it is a plaintext handshake record.
    static func handshakeType(_ datagram: ByteBuffer) -> UInt8? {
        guard datagram.getInteger(at: datagram.readerIndex, as: UInt8.self) == 22 else { return nil }
        return datagram.getInteger(at: datagram.readerIndex + 13, as: UInt8.self)
    }
}
