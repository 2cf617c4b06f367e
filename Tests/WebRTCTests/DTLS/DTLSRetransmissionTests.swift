import NIOCore
import Testing
@testable import WebRTC

@Suite("DTLS retransmission")
struct DTLSRetransmissionTests {
    @Test("a lost ServerHello flight is sent again after its timer expires")
    func lostServerFlightIsRetransmitted() async throws {
        let pair = try DTLSTestPair(serverRetransmissionTimeout: .milliseconds(300), clientRetransmissionTimeout: .seconds(30))
        try pair.start()
        pair.deliverToServer()
        let lost = pair.dropToClient()
        #expect(!lost.isEmpty)
        #expect(Self.handshakeType(lost[0]) == 2)  // ServerHello

        let delay = try #require(pair.server.nextTimeout)
        #expect(delay <= .milliseconds(300))
        #expect(pair.server.nextTimeout(after: .now()) != nil)
        #expect(pair.server.handleTimeout().datagrams.isEmpty)  // not yet expired

        try await Task.sleep(for: .milliseconds(450))
        let retransmission = pair.server.handleTimeout()
        #expect(retransmission.events.isEmpty)
        #expect(retransmission.datagrams.count == lost.count)
        #expect(retransmission.datagrams.map(\.readableBytes) == lost.map(\.readableBytes))
        #expect(retransmission.datagrams.first.map(Self.handshakeType) == 2)

        pair.record(retransmission, from: .server)
        pair.run()
        #expect(pair.server.state == .connected)
        #expect(pair.client.state == .connected)
        #expect(DTLSTestPair.keys(in: pair.serverEvents) == DTLSTestPair.keys(in: pair.clientEvents))
    }

    @Test("a lost final server flight is resent when the client retransmits its Finished")
    func lostFinalFlightIsRecovered() async throws {
        let pair = try DTLSTestPair(serverRetransmissionTimeout: .seconds(30), clientRetransmissionTimeout: .milliseconds(50))
        try pair.start()
        pair.deliverToServer()  // ClientHello -> ServerHello..ServerHelloDone
        pair.deliverToClient()  // -> Certificate..Finished
        pair.deliverToServer()  // -> ChangeCipherSpec, Finished (server done)
        #expect(pair.server.state == .connected)
        pair.dropToClient()
        #expect(pair.client.state == .handshaking)

        try await Task.sleep(for: .milliseconds(150))
        pair.record(pair.client.handleTimeout(), from: .client)
        pair.run()
        #expect(pair.client.state == .connected)
        #expect(DTLSTestPair.keys(in: pair.clientEvents) == DTLSTestPair.keys(in: pair.serverEvents))
        #expect(pair.client.nextTimeout == nil)
    }

    @Test("no timer runs on a fresh server or after the handshake")
    func noTimerWhenIdle() throws {
        let pair = try DTLSTestPair()
        #expect(pair.server.nextTimeout == nil)
        #expect(pair.server.handleTimeout().datagrams.isEmpty)
        try pair.handshake()
        #expect(pair.server.nextTimeout == nil)
    }

    /// The handshake message type of the first record, if it is a plaintext handshake record.
    static func handshakeType(_ datagram: ByteBuffer) -> UInt8? {
        guard datagram.getInteger(at: datagram.readerIndex, as: UInt8.self) == 22 else { return nil }
        return datagram.getInteger(at: datagram.readerIndex + 13, as: UInt8.self)
    }
}
