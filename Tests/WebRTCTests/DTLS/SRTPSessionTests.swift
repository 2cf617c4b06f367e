import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("SRTP sessions keyed by DTLS")
struct SRTPSessionTests {
    /// Server and client SRTP sessions from a real handshake negotiating `profile`.
    static func sessions(profile: SRTPProfile) throws -> (server: SRTPSession, client: SRTPSession) {
        let pair = try DTLSTestPair(clientContext: DTLSTestContexts.makeContext(srtpProfiles: [profile]))
        try pair.handshake()
        let serverKeys = try pair.server.exportSRTPKeys()
        let clientKeys = try pair.client.exportSRTPKeys()
        return (
            try SRTPSession(keyingMaterial: serverKeys, role: .server),
            try SRTPSession(keyingMaterial: clientKeys, role: .client)
        )
    }

    static func tagLength(_ profile: SRTPProfile) -> Int {
        profile == .aeadAES128GCM ? 16 : 10
    }

    @Test("RTP protected by the server unprotects on the client, and back", arguments: SRTPProfile.allCases)
    func rtpRoundTrip(profile: SRTPProfile) throws {
        let (server, client) = try Self.sessions(profile: profile)
        for sequenceNumber in UInt16(1)...50 {
            let original = SRTPTestPackets.rtp(sequenceNumber: sequenceNumber)
            var packet = original
            try server.protectRTP(&packet)
            #expect(packet.readableBytes == original.readableBytes + Self.tagLength(profile))
            #expect(packet.getSlice(at: 12, length: 20) != original.getSlice(at: 12, length: 20))
            try client.unprotectRTP(&packet)
            #expect(packet == original)
        }
        var upstream = SRTPTestPackets.rtp(sequenceNumber: 9, ssrc: 0xCAFE_F00D)
        try client.protectRTP(&upstream)
        try server.unprotectRTP(&upstream)
        #expect(upstream == SRTPTestPackets.rtp(sequenceNumber: 9, ssrc: 0xCAFE_F00D))
    }

    @Test("RTCP round-trips in both directions", arguments: SRTPProfile.allCases)
    func rtcpRoundTrip(profile: SRTPProfile) throws {
        let (server, client) = try Self.sessions(profile: profile)
        let original = SRTPTestPackets.receiverReport()
        var packet = original
        try client.protectRTCP(&packet)
        #expect(packet.readableBytes == original.readableBytes + 4 + Self.tagLength(profile))
        try server.unprotectRTCP(&packet)
        #expect(packet == original)

        var downstream = SRTPTestPackets.receiverReport(ssrc: 1, mediaSSRC: 2)
        try server.protectRTCP(&downstream)
        try client.unprotectRTCP(&downstream)
        #expect(downstream == SRTPTestPackets.receiverReport(ssrc: 1, mediaSSRC: 2))
    }

    @Test("a tampered byte fails authentication", arguments: SRTPProfile.allCases)
    func tamperedPacketFails(profile: SRTPProfile) throws {
        let (server, client) = try Self.sessions(profile: profile)
        var packet = SRTPTestPackets.rtp(sequenceNumber: 100)
        try server.protectRTP(&packet)
        let index = packet.readerIndex + 40
        packet.setInteger(packet.getInteger(at: index, as: UInt8.self)! ^ 0x01, at: index)
        let length = packet.readableBytes
        let error = #expect(throws: SRTPError.self) { try client.unprotectRTP(&packet) }
        #expect(error?.isAuthenticationFailure == true)
        #expect(error?.name == "auth_fail")
        #expect(error?.operation == .unprotectRTP)
        #expect(packet.readableBytes == length)

        var report = SRTPTestPackets.receiverReport()
        try server.protectRTCP(&report)
        report.setInteger(report.getInteger(at: 10, as: UInt8.self)! ^ 0x80, at: 10)
        let rtcpError = #expect(throws: SRTPError.self) { try client.unprotectRTCP(&report) }
        #expect(rtcpError?.isAuthenticationFailure == true)
    }

    @Test("a replayed packet is refused; a resent sequence number (NACK answer) can be protected again")
    func replayAndRetransmission() throws {
        let (server, client) = try Self.sessions(profile: .aes128CMHMACSHA1_80)
        var first = SRTPTestPackets.rtp(sequenceNumber: 500)
        try server.protectRTP(&first)
        var resent = SRTPTestPackets.rtp(sequenceNumber: 500)
        try server.protectRTP(&resent)  // allow_repeat_tx
        #expect(resent == first)

        var copy = first
        try client.unprotectRTP(&first)
        let error = #expect(throws: SRTPError.self) { try client.unprotectRTP(&copy) }
        #expect(error?.isReplay == true)

        // Late but within the 1024-packet window: accepted.
        var later = SRTPTestPackets.rtp(sequenceNumber: 1400)
        try server.protectRTP(&later)
        try client.unprotectRTP(&later)
        var late = SRTPTestPackets.rtp(sequenceNumber: 600)
        try server.protectRTP(&late)
        try client.unprotectRTP(&late)
    }

    @Test("protecting in a reused scratch buffer needs no ByteBuffer", arguments: SRTPProfile.allCases)
    func scratchBuffer(profile: SRTPProfile) throws {
        let (server, client) = try Self.sessions(profile: profile)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
        defer { scratch.deallocate() }
        for sequenceNumber in UInt16(1)...20 {
            let original = SRTPTestPackets.rtp(sequenceNumber: sequenceNumber, payloadSize: 1000)
            let length = original.readableBytes
            original.withUnsafeReadableBytes { scratch.copyMemory(from: $0) }
            let protectedLength = try server.protectRTP(in: scratch, length: length)
            #expect(protectedLength == length + Self.tagLength(profile))
            let plainLength = try client.unprotectRTP(in: scratch, length: protectedLength)
            #expect(plainLength == length)
            #expect(ByteBuffer(bytes: UnsafeRawBufferPointer(rebasing: scratch[0..<plainLength])) == original)
        }
        let tooSmall = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<220])
        let error = #expect(throws: SRTPError.self) { try server.protectRTP(in: tooSmall, length: 212) }
        #expect(error?.name == "bad_param")
    }

    @Test("short and random packets are refused without crashing")
    func hostilePackets() throws {
        var generator = SeededGenerator(seed: 0x5A7)
        let (_, client) = try Self.sessions(profile: .aeadAES128GCM)
        for size in [0, 1, 4, 8, 11, 12, 13, 20, 27, 28, 29] {
            var packet = ByteBuffer(bytes: generator.bytes(size))
            #expect(throws: SRTPError.self) { try client.unprotectRTP(&packet) }
            var report = ByteBuffer(bytes: generator.bytes(size))
            #expect(throws: SRTPError.self) { try client.unprotectRTCP(&report) }
        }
        for _ in 0..<300 {
            var bytes = generator.bytes(Int.random(in: 12...1400, using: &generator))
            bytes[0] = 0x80 | (bytes[0] & 0x3F)
            var packet = ByteBuffer(bytes: bytes)
            #expect(throws: SRTPError.self) { try client.unprotectRTP(&packet) }
            var report = ByteBuffer(bytes: bytes)
            #expect(throws: SRTPError.self) { try client.unprotectRTCP(&report) }
        }
    }

    @Test("keying material splits as client key, server key, client salt, server salt")
    func keyingMaterialLayout() throws {
        let profile = SRTPProfile.aeadAES128GCM
        let bytes = (0..<profile.exportedKeyingMaterialLength).map { UInt8($0) }
        let keys = try #require(SRTPKeyingMaterial(profile: profile, exportedKeyingMaterial: bytes))
        #expect(keys.clientMasterKey == Array(0..<16))
        #expect(keys.serverMasterKey == Array(16..<32))
        #expect(keys.clientMasterSalt == Array(32..<44))
        #expect(keys.serverMasterSalt == Array(44..<56))
        #expect(keys.keyAndSalt(sentBy: .server) == Array(16..<32) + Array(44..<56))
        #expect(!keys.description.contains("16"))
        #expect(SRTPKeyingMaterial(profile: .aes128CMHMACSHA1_80, exportedKeyingMaterial: bytes) == nil)
    }
}
