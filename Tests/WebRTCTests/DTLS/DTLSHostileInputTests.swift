import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("DTLS hostile input")
struct DTLSHostileInputTests {
    @Test("random datagrams to a fresh server are dropped or fail it, never crash")
    func randomGarbage() throws {
        var generator = SeededGenerator(seed: 0xD715)
        for round in 0..<300 {
            let server = try DTLSTransport(context: DTLSTestContexts.server, role: .server)
            let size = round % 3 == 0 ? Int.random(in: 1...20, using: &generator) : Int.random(in: 1...1500, using: &generator)
            var bytes = generator.bytes(size)
            if round % 2 == 0 {
                bytes[0] = 22  // looks like a handshake record
                if bytes.count > 2 {
                    bytes[1] = 0xFE
                    bytes[2] = 0xFD
                }
            }
            let output = server.handle(datagram: ByteBuffer(bytes: bytes), now: DTLSTestPair.testNow)
            #expect(server.state == .handshaking || server.state == .failed)
            if server.state == .failed {
                #expect(!DTLSTestPair.failures(in: output.events).isEmpty)
            }
        }
    }

    @Test("truncated, oversized and empty ClientHellos do not crash a server")
    func truncatedAndOversized() throws {
        let pair = try DTLSTestPair()
        try pair.start()
        let clientHello = try #require(pair.dropToServer().first)
        let bytes = Array(clientHello.readableBytesView)

        for cut in stride(from: 0, to: bytes.count, by: 7) {
            let server = try DTLSTransport(context: DTLSTestContexts.server, role: .server)
            _ = server.handle(datagram: ByteBuffer(bytes: bytes.prefix(cut)), now: DTLSTestPair.testNow)
            #expect(server.state != .connected)
        }
        var lying = bytes
        lying[11] = 0xFF  // record length larger than the datagram
        lying[12] = 0xFF
        let server = try DTLSTransport(context: DTLSTestContexts.server, role: .server)
        _ = server.handle(datagram: ByteBuffer(bytes: lying), now: DTLSTestPair.testNow)
        _ = server.handle(datagram: ByteBuffer(repeating: 22, count: 70_000), now: DTLSTestPair.testNow)
        _ = server.handle(datagram: ByteBuffer(bytes: bytes + [UInt8](repeating: 0xAB, count: 20_000)), now: DTLSTestPair.testNow)
        #expect(server.state != .connected)
    }

    @Test("garbage between real flights is ignored and the handshake still completes")
    func garbageDuringHandshake() throws {
        var generator = SeededGenerator(seed: 7)
        let pair = try DTLSTestPair()
        try pair.start()
        for _ in 0..<10 {
            pair.queueForServer([ByteBuffer(bytes: generator.bytes(Int.random(in: 1...300, using: &generator)))])
            pair.queueForClient([ByteBuffer(bytes: generator.bytes(Int.random(in: 1...300, using: &generator)))])
            pair.deliverToServer()
            pair.deliverToClient()
        }
        pair.run()
        #expect(pair.server.state == .connected)
        #expect(pair.client.state == .connected)
    }

    @Test("garbage after the handshake is dropped and the association stays up")
    func garbageAfterHandshake() throws {
        var generator = SeededGenerator(seed: 99)
        let pair = try DTLSTestPair()
        try pair.handshake()
        for _ in 0..<100 {
            var bytes = generator.bytes(Int.random(in: 13...600, using: &generator))
            bytes[0] = 23  // application data
            bytes[1] = 0xFE
            bytes[2] = 0xFD
            let output = pair.server.handle(datagram: ByteBuffer(bytes: bytes), now: DTLSTestPair.testNow)
            #expect(output.events.isEmpty)
        }
        #expect(pair.server.state == .connected)
        pair.queueForServer(try pair.client.writeApplicationData(ByteBuffer(string: "still here")))
        pair.deliverToServer()
        #expect(pair.serverEvents.contains { if case .applicationData = $0 { true } else { false } })
    }

    @Test("datagrams after failure or before start are ignored")
    func ignoredStates() throws {
        let client = try DTLSTransport(context: DTLSTestContexts.client, role: .client)
        #expect(client.state == .idle)
        #expect(client.handle(datagram: ByteBuffer(bytes: [22, 0xFE, 0xFD]), now: DTLSTestPair.testNow).datagrams.isEmpty)
        #expect(client.state == .idle)
        let server = try DTLSTransport(context: DTLSTestContexts.server, role: .server)
        #expect(try server.start(now: DTLSTestPair.testNow).isEmpty)
        #expect(server.close().isEmpty)
        #expect(server.state == .closed)
        #expect(server.handle(datagram: ByteBuffer(bytes: [22]), now: DTLSTestPair.testNow).events.isEmpty)
    }
}
