import NIOCore
import Testing

@testable import WebRTC

@Suite("DTLS handshake")
struct DTLSHandshakeTests {
    @Test("a server and a client complete a handshake and export the same SRTP keys")
    func handshakeExportsMatchingKeys() throws {
        let pair = try DTLSTestPair()
        try pair.handshake()

        #expect(pair.server.state == .connected)
        #expect(pair.client.state == .connected)
        let serverKeys = DTLSTestPair.keys(in: pair.serverEvents)
        let clientKeys = DTLSTestPair.keys(in: pair.clientEvents)
        #expect(serverKeys.count == 1)
        #expect(clientKeys.count == 1)
        #expect(serverKeys == clientKeys)
        #expect(serverKeys.first?.profile == .aeadAES128GCM)  // first of our list
        #expect(DTLSTestPair.failures(in: pair.serverEvents + pair.clientEvents).isEmpty)

        let exportedAgain = try pair.server.exportSRTPKeys()
        #expect(exportedAgain == (try pair.client.exportSRTPKeys()))
        #expect(exportedAgain == pair.server.keyingMaterial)
        #expect(exportedAgain.clientMasterKey != exportedAgain.serverMasterKey)
        #expect(exportedAgain.clientMasterKey.count == 16)
        #expect(exportedAgain.clientMasterSalt.count == 12)
        #expect(pair.server.selectedSRTPProfile == .aeadAES128GCM)
    }

    @Test("each side's peer fingerprint is the other side's certificate fingerprint")
    func peerFingerprints() throws {
        let pair = try DTLSTestPair()
        #expect(pair.server.peerCertificateFingerprint() == nil)
        try pair.handshake()

        let serverFingerprint = DTLSTestContexts.server.certificate.fingerprint
        let clientFingerprint = DTLSTestContexts.client.certificate.fingerprint
        #expect(serverFingerprint != clientFingerprint)
        #expect(pair.server.peerCertificateFingerprint(algorithm: .sha256) == clientFingerprint.bytes)
        #expect(pair.client.peerCertificateFingerprint(algorithm: .sha256) == serverFingerprint.bytes)
        #expect(pair.server.peerCertificateMatches(clientFingerprint))
        #expect(!pair.server.peerCertificateMatches(serverFingerprint))
        #expect(pair.server.peerCertificateFingerprint(algorithm: "SHA-256") == clientFingerprint.bytes)
        #expect(pair.server.peerCertificateFingerprint(algorithm: "md5") == nil)
        #expect(DTLSTestContexts.server.fingerprint == serverFingerprint)
        let sha384 = try #require(DTLSTestContexts.client.certificate.fingerprint(.sha384))
        #expect(pair.server.peerCertificateMatches(sha384))
    }

    @Test("every datagram fits the 1200-byte link MTU and holds whole records")
    func datagramsFitTheMTU() throws {
        let pair = try DTLSTestPair()
        try pair.handshake()

        #expect(pair.sentDatagrams.count >= 4)
        for datagram in pair.sentDatagrams {
            #expect(datagram.readableBytes <= 1200)
            #expect(Self.recordsAreWhole(datagram))
        }
    }

    @Test("with a small MTU flights are fragmented into more, smaller datagrams", arguments: [300, 576])
    func smallMTUFragmentsFlights(mtu: Int) throws {
        let pair = try DTLSTestPair(maximumDatagramSize: mtu)
        try pair.handshake()

        #expect(pair.server.state == .connected)
        #expect(pair.client.state == .connected)
        let defaultPair = try DTLSTestPair()
        try defaultPair.handshake()
        #expect(pair.sentDatagrams.count > defaultPair.sentDatagrams.count)
        for datagram in pair.sentDatagrams {
            #expect(datagram.readableBytes <= mtu)
            #expect(Self.recordsAreWhole(datagram))
        }
    }

    @Test("the record packer joins small records and splits at record boundaries")
    func recordPacker() {
        func record(_ bodyLength: Int) -> [UInt8] {
            [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, UInt8(bodyLength >> 8), UInt8(bodyLength & 0xFF)]
                + [UInt8](repeating: 0xAA, count: bodyLength)
        }
        let bytes = record(100) + record(100) + record(500) + record(50) + record(700)
        let datagrams = DTLSRecordPacker.datagrams(from: ByteBuffer(bytes: bytes), maximumDatagramSize: 800)
        #expect(datagrams.map(\.readableBytes) == [113 + 113 + 513, 63 + 713])
        #expect(datagrams.allSatisfy(Self.recordsAreWhole))
        // A cut-off trailing record travels as it is.
        let truncated = DTLSRecordPacker.datagrams(from: ByteBuffer(bytes: record(10) + [23, 0xFE]), maximumDatagramSize: 800)
        #expect(truncated.map(\.readableBytes) == [25])
        #expect(DTLSRecordPacker.datagrams(from: ByteBuffer(), maximumDatagramSize: 800).isEmpty)
    }

    @Test("a client offering one SRTP profile gets that profile", arguments: SRTPProfile.allCases)
    func negotiatesEachProfile(profile: SRTPProfile) throws {
        let clientContext = DTLSTestContexts.makeContext(srtpProfiles: [profile])
        let pair = try DTLSTestPair(clientContext: clientContext)
        try pair.handshake()

        let keys = try #require(DTLSTestPair.keys(in: pair.serverEvents).first)
        #expect(keys.profile == profile)
        #expect(keys.clientMasterSalt.count == profile.masterSaltLength)
        #expect(DTLSTestPair.keys(in: pair.clientEvents).first == keys)
    }

    @Test("without a common SRTP profile the handshake does not yield keys")
    func noCommonProfile() throws {
        let serverContext = DTLSTestContexts.makeContext(srtpProfiles: [.aeadAES128GCM])
        let clientContext = DTLSTestContexts.makeContext(srtpProfiles: [.aes128CMHMACSHA1_80])
        let pair = try DTLSTestPair(serverContext: serverContext, clientContext: clientContext)
        try pair.handshake()

        #expect(DTLSTestPair.keys(in: pair.serverEvents).isEmpty)
        #expect(DTLSTestPair.failures(in: pair.serverEvents).contains(.noSRTPProfileNegotiated))
        #expect(pair.server.state == .failed)
    }

    @Test("keys cannot be exported before the handshake completes")
    func exportBeforeHandshake() throws {
        let pair = try DTLSTestPair()
        try pair.start()
        #expect(throws: DTLSError.handshakeNotCompleted) { try pair.client.exportSRTPKeys() }
        #expect(pair.client.state == .handshaking)
    }

    @Test("close_notify is seen by the peer, and both sides stop")
    func closeNotify() throws {
        let pair = try DTLSTestPair()
        try pair.handshake()

        pair.queueForClient(pair.server.close())
        #expect(pair.server.state == .closed)
        pair.deliverToClient()
        #expect(DTLSTestPair.closeNotifies(in: pair.clientEvents) == 1)
        #expect(pair.client.state == .closed)
        #expect(pair.client.close().isEmpty)
    }

    @Test("application data crosses in both directions after the handshake")
    func applicationData() throws {
        let pair = try DTLSTestPair()
        try pair.handshake()

        pair.queueForServer(try pair.client.writeApplicationData(ByteBuffer(string: "hello server")))
        pair.deliverToServer()
        let received = pair.serverEvents.compactMap { event -> String? in
            if case .applicationData(let data) = event { return String(buffer: data) }
            return nil
        }
        #expect(received == ["hello server"])
        #expect(throws: DTLSError.self) {
            try DTLSTransport(context: DTLSTestContexts.server, role: .client).writeApplicationData(ByteBuffer(string: "x"))
        }
    }

    @Test("certificate fingerprints format and parse in the SDP form")
    func fingerprintForm() throws {
        let fingerprint = DTLSTestContexts.server.certificate.fingerprint
        #expect(fingerprint.algorithm == .sha256)
        #expect(fingerprint.bytes.count == 32)
        let value = fingerprint.sdpValue
        #expect(value.count == 32 * 3 - 1)
        #expect(value == value.uppercased())
        #expect(value.split(separator: ":").count == 32)
        #expect(DTLSFingerprint(sdpAttributeValue: Substring(fingerprint.sdpAttributeValue)) == fingerprint)
        #expect(DTLSFingerprint(sdpAttributeValue: Substring("SHA-256 " + value.lowercased())) == fingerprint)
        #expect(DTLSFingerprint(algorithm: .sha256, sdpValue: "AB:CD") == nil)
        #expect(DTLSFingerprint(algorithm: .sha256, sdpValue: Substring(value + ":00")) == nil)
        #expect(DTLSFingerprint(algorithm: .sha1, sdpValue: "ZZ:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00") == nil)
        #expect(DTLSFingerprint(sdpAttributeValue: "md5 AB:CD") == nil)
        #expect(DTLSFingerprint.hexPairs([0x0A, 0xFF, 0x00]) == "0A:FF:00")
    }

    /// Whether `datagram` is a run of complete DTLS records.
    static func recordsAreWhole(_ datagram: ByteBuffer) -> Bool {
        var offset = datagram.readerIndex
        while offset < datagram.writerIndex {
            guard let length = datagram.getInteger(at: offset + 11, as: UInt16.self) else { return false }
            offset += 13 + Int(length)
        }
        return offset == datagram.writerIndex
    }
}
