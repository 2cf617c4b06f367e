import NIOCore
import Testing

@testable import WebRTC

@Suite("Outbound RTP sealed without libsrtp, byte for byte as libsrtp2 seals it")
struct SRTPPacketSealerTests {
    static func hex(_ string: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = string.startIndex
        while index < string.endIndex {
            let next = string.index(index, offsetBy: 2)
            bytes.append(UInt8(string[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    @Test("the key derivation gives RFC 3711 B.3's session keys")
    func keyDerivationVectors() throws {
        let key = Self.hex("E1F97A0D3E018BE0D64FA32C06DE4139")
        let salt = Self.hex("0EC675AD498AFEEBB6960B3AABE6")
        #expect(
            try SRTPKeyDerivation.derive(.rtpEncryption, length: 16, masterKey: key, masterSalt: salt) == Self.hex("C61E7A93744F39EE10734AFE3FF7A087")
        )
        #expect(try SRTPKeyDerivation.derive(.rtpSalt, length: 14, masterKey: key, masterSalt: salt) == Self.hex("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(
            try SRTPKeyDerivation.derive(.rtpAuthentication, length: 20, masterKey: key, masterSalt: salt)
                == Self.hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
    }

    /// An RTP packet with one CSRC and a one-byte-form header extension (authenticated, not encrypted).
    static func packetWithExtension(sequenceNumber: UInt16) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes([0x91, 96])
        buffer.writeInteger(sequenceNumber)
        buffer.writeInteger(UInt32(90_000))
        buffer.writeInteger(UInt32(0xAABB_CCDD))
        buffer.writeInteger(UInt32(0x0102_0304))  // CSRC
        buffer.writeBytes([0xBE, 0xDE, 0x00, 0x01, 0x10, 0x42, 0x00, 0x00])
        buffer.writeBytes((0..<300).map { UInt8(truncatingIfNeeded: $0) })
        return buffer
    }

    func sealBoth(_ session: SRTPSession, _ packet: ByteBuffer) throws -> (ours: [UInt8], libsrtp: [UInt8]) {
        let length = packet.readableBytes
        var ours = Array(packet.readableBytesView) + [UInt8](repeating: 0, count: SRTPSession.maximumProtectionOverhead)
        var reference = ours
        let oursLength = try ours.withUnsafeMutableBytes { try session.protectRTP(in: $0, length: length) }
        let referenceLength = try reference.withUnsafeMutableBytes { try session.protectRTPWithLibSRTP(in: $0, length: length) }
        return (Array(ours.prefix(oursLength)), Array(reference.prefix(referenceLength)))
    }

    @Test("the same bytes across a sequence wrap, two SSRCs, extensions and resent packets", arguments: SRTPProfile.allCases)
    func matchesLibSRTP(profile: SRTPProfile) throws {
        let (server, client) = try SRTPSessionTests.sessions(profile: profile)
        var sequences = (UInt16(65_400)...UInt16.max).map { $0 } + (UInt16(0)...UInt16(300)).map { $0 }
        sequences += [65_530, 12, 299, 65_535, 0]  // NACK answers, before and after the wrap
        for sequence in sequences {
            for packet in [
                SRTPTestPackets.rtp(sequenceNumber: sequence),
                SRTPTestPackets.rtp(sequenceNumber: sequence &+ 7_000, ssrc: 0x0BAD_F00D, payloadSize: 1_100),
            ] {
                let sealed = try sealBoth(server, packet)
                #expect(sealed.ours == sealed.libsrtp, "sequence \(sequence)")
            }
        }
        let sealed = try sealBoth(server, Self.packetWithExtension(sequenceNumber: 4_000))
        #expect(sealed.ours == sealed.libsrtp)
        var received = ByteBuffer(bytes: sealed.ours)
        try client.unprotectRTP(&received)
        #expect(received == Self.packetWithExtension(sequenceNumber: 4_000))
    }

    @Test("a header that does not fit, or no room for the tag, is refused and the bytes stay")
    func refusesBadPackets() throws {
        let (server, _) = try SRTPSessionTests.sessions(profile: .aeadAES128GCM)
        var broken = Array(Self.packetWithExtension(sequenceNumber: 1).readableBytesView.prefix(22)) + [UInt8](repeating: 0, count: 64)
        broken[0] = 0x9F  // 15 CSRCs: longer than the packet
        let before = broken
        #expect(throws: SRTPError.self) { try broken.withUnsafeMutableBytes { try server.protectRTP(in: $0, length: 22) } }
        #expect(broken == before)
        var version1 = Array(SRTPTestPackets.rtp(sequenceNumber: 1).readableBytesView) + [UInt8](repeating: 0, count: 64)
        version1[0] = 0x40
        #expect(throws: SRTPError.self) { try version1.withUnsafeMutableBytes { try server.protectRTP(in: $0, length: 212) } }
    }
}
