import NIOCore
import Testing

@testable import WebRTC

@Suite("STUN RFC 5769 vectors")
struct STUNVectorTests {
    static func decode(_ bytes: [UInt8]) throws -> STUNMessage {
        try STUNMessage(decoding: ByteBuffer(bytes: bytes))
    }

    @Test func vectorsHaveTheirRFCSizes() {
        #expect(RFC5769Vectors.request.count == 108)
        #expect(RFC5769Vectors.ipv4Response.count == 80)
        #expect(RFC5769Vectors.ipv6Response.count == 92)
    }

    @Test func sampleRequestDecodes() throws {
        let m = try Self.decode(RFC5769Vectors.request)
        #expect(m.type == .bindingRequest)
        #expect(m.isBindingRequest)
        #expect(!m.isBindingSuccess)
        #expect(m.transactionID.bytes == RFC5769Vectors.transactionID)
        #expect(m.username == "evtj:h6vY")
        #expect(m.priority == 0x6E00_01FF)
        #expect(m.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(m.iceControlling == nil)
        #expect(!m.useCandidate)
        #expect(m.xorMappedAddress == nil)
        #expect(m.hasMessageIntegrity)
        #expect(m.hasFingerprint)
        #expect(m.unknownAttributes.map(\.type) == [.software])
        #expect(m.unknownAttributes.first.map { String(buffer: $0.value) } == "STUN test client")
        #expect(m.unknownComprehensionRequiredAttributes.isEmpty)
    }

    @Test(arguments: RFC5769Vectors.all.map(\.name))
    func integrityAndFingerprintValidate(name: String) throws {
        let bytes = try #require(RFC5769Vectors.all.first { $0.name == name }?.bytes)
        let m = try Self.decode(bytes)
        #expect(m.validatesIntegrity(password: RFC5769Vectors.password))
        #expect(m.hasValidFingerprint)
        #expect(!m.validatesIntegrity(password: "VOkJxbRl1RmTxUk/WvJxBu"))
        #expect(!m.validatesIntegrity(password: ""))
    }

    @Test func ipv4ResponseCarriesItsMappedAddress() throws {
        let m = try Self.decode(RFC5769Vectors.ipv4Response)
        #expect(m.isBindingSuccess)
        #expect(m.transactionID.bytes == RFC5769Vectors.transactionID)
        #expect(m.xorMappedAddress == (try SocketAddress(ipAddress: "192.0.2.1", port: 32853)))
        #expect(m.xorMappedAddress?.ipAddress == "192.0.2.1")
        #expect(m.xorMappedAddress?.port == 32853)
        #expect(m.unknownAttributes.first.map { String(buffer: $0.value) } == "test vector")
    }

    @Test func ipv6ResponseCarriesItsMappedAddress() throws {
        let m = try Self.decode(RFC5769Vectors.ipv6Response)
        #expect(m.isBindingSuccess)
        let expected = try SocketAddress(ipAddress: "2001:db8:1234:5678:11:2233:4455:6677", port: 32853)
        #expect(m.xorMappedAddress == expected)
        #expect(m.xorMappedAddress?.ipAddress == "2001:db8:1234:5678:11:2233:4455:6677")
        #expect(m.xorMappedAddress?.port == 32853)
    }

    /// Flipping any bit the HMAC covers breaks MESSAGE-INTEGRITY; flipping any bit at all
    /// breaks FINGERPRINT (or the message no longer decodes).
    @Test(arguments: RFC5769Vectors.all.map(\.name))
    func everyFlippedByteFails(name: String) throws {
        let bytes = try #require(RFC5769Vectors.all.first { $0.name == name }?.bytes)
        // MESSAGE-INTEGRITY is the 24 bytes before the 8-byte FINGERPRINT.
        let integrityEnd = bytes.count - 8
        for index in bytes.indices {
            var flipped = bytes
            flipped[index] ^= 0x01
            guard let m = try? Self.decode(flipped) else { continue }
            if index < integrityEnd {
                #expect(!m.validatesIntegrity(password: RFC5769Vectors.password), "byte \(index)")
            } else {
                #expect(m.validatesIntegrity(password: RFC5769Vectors.password), "byte \(index) is after MI")
            }
            #expect(!m.hasValidFingerprint, "byte \(index)")
        }
    }

    @Test func decodingHonoursTheReaderIndex() throws {
        var buffer = ByteBuffer(bytes: [0xEE, 0xEE, 0xEE] + RFC5769Vectors.request)
        buffer.moveReaderIndex(forwardBy: 3)
        let m = try STUNMessage(decoding: buffer)
        #expect(m.validatesIntegrity(password: RFC5769Vectors.password))
        #expect(m.hasValidFingerprint)
        #expect(buffer.readerIndex == 3, "decoding does not consume")
    }

    @Test func crc32HasTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }
}
