import NIOCore
import Testing

@testable import WebRTC

@Suite("DTLS and SRTP object lifecycle")
struct DTLSLifecycleTests {
    @Test("creating and dropping 1000 transports, half mid-handshake, releases them")
    func thousandTransports() throws {
        weak var lastTransport: DTLSTransport?
        for index in 0..<1000 {
            let transport = try DTLSTransport(context: DTLSTestContexts.server, role: index.isMultiple(of: 2) ? .server : .client)
            if transport.role == .client {
                let flight = try transport.start(now: DTLSTestPair.testNow)
                #expect(!flight.isEmpty)
            }
            lastTransport = transport
        }
        #expect(lastTransport == nil)
    }

    @Test("contexts, certificates and SRTP sessions can be made and dropped repeatedly")
    func repeatedContextsAndSessions() throws {
        for _ in 0..<20 {
            _ = try DTLSContext()
        }
        let keys = try #require(
            SRTPKeyingMaterial(
                profile: .aes128CMHMACSHA1_80,
                exportedKeyingMaterial: (0..<SRTPProfile.aes128CMHMACSHA1_80.exportedKeyingMaterialLength).map { UInt8($0) }
            ))
        for index in 0..<1000 {
            let session = try SRTPSession(keyingMaterial: keys, role: index.isMultiple(of: 2) ? .server : .client)
            var packet = SRTPTestPackets.rtp(sequenceNumber: UInt16(index))
            try session.protectRTP(&packet)
        }
    }

    @Test("a completed association is released when dropped")
    func completedAssociationIsReleased() throws {
        weak var server: DTLSTransport?
        weak var client: DTLSTransport?
        do {
            let pair = try DTLSTestPair()
            try pair.handshake()
            server = pair.server
            client = pair.client
            #expect(server != nil)
        }
        #expect(server == nil)
        #expect(client == nil)
    }
}
