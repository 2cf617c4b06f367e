import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("STUN hostile input")
struct STUNHostileInputTests {
    typealias T = STUNTestMessages

    static func decode(_ bytes: [UInt8]) throws(STUNError) -> STUNMessage {
        try STUNMessage(decoding: ByteBuffer(bytes: bytes))
    }

    @Test(arguments: RFC5769Vectors.all.map(\.name))
    func everyTruncationThrows(name: String) throws {
        let bytes = try #require(RFC5769Vectors.all.first { $0.name == name }?.bytes)
        for length in 0..<bytes.count {
            #expect(throws: STUNError.self, "\(length) bytes") { try Self.decode(Array(bytes[0..<length])) }
        }
        #expect(throws: Never.self) { try Self.decode(bytes) }
    }

    @Test func shortInputIsTooShort() {
        #expect(throws: STUNError.tooShort(0)) { try Self.decode([]) }
        #expect(throws: STUNError.tooShort(19)) { try Self.decode(Array(T.message().prefix(19))) }
    }

    @Test func headerErrors() {
        #expect(throws: STUNError.notSTUN(firstByte: 0x80)) { try Self.decode(T.message(type: 0x8001)) }
        #expect(throws: STUNError.notSTUN(firstByte: 0x40)) { try Self.decode(T.message(type: 0x4001)) }
        var classic = T.message()
        classic[4] = 0x00
        #expect(throws: STUNError.badMagicCookie(0x0012_A442)) { try Self.decode(classic) }
        #expect(throws: STUNError.lengthNotMultipleOfFour(2)) { try Self.decode(T.message(body: [0, 0], declaredLength: 2)) }
        #expect(throws: STUNError.lengthMismatch(declared: 8, actual: 4)) {
            try Self.decode(T.message(body: [0, 0x24, 0, 0], declaredLength: 8))
        }
        #expect(throws: STUNError.lengthMismatch(declared: 0, actual: 8)) {
            try Self.decode(T.message(body: T.attribute(0x0024, [1, 2, 3, 4]), declaredLength: 0))
        }
    }

    @Test(arguments: [5, 8, 100, 0xFFFF])
    func attributeLengthPastTheEndOverruns(declared: Int) {
        let body = T.attribute(0x0024, [1, 2, 3, 4], declaredLength: declared)
        #expect(throws: STUNError.attributeOverrun(type: 0x0024, length: declared, remaining: 4)) {
            try Self.decode(T.message(body: body))
        }
        // Also as the second attribute, after a good one.
        let secondLength = min(declared + 8, 0xFFFF)
        let second = T.attribute(0x0025, []) + T.attribute(0x8022, [1, 2, 3, 4, 5, 6, 7, 8], declaredLength: secondLength)
        #expect(throws: STUNError.attributeOverrun(type: 0x8022, length: secondLength, remaining: 8)) {
            try Self.decode(T.message(body: second))
        }
    }

    @Test func knownAttributesWithWrongLengthsAreRefused() {
        let cases: [(UInt16, [UInt8])] = [
            (0x0024, [1, 2, 3]), (0x0024, [1, 2, 3, 4, 5]),
            (0x0025, [0, 0, 0, 0]),
            (0x8029, [1, 2, 3, 4]), (0x802A, Array(repeating: 1, count: 12)),
            (0x0008, Array(repeating: 0, count: 19)), (0x0008, Array(repeating: 0, count: 32)),
            (0x8028, [1, 2]),
            (0x0020, [0, 1, 0]), (0x0020, [0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]), (0x0020, [0, 2, 0, 0, 1, 2, 3, 4]),
            (0x0001, [0, 1, 0, 0, 1, 2, 3]),
            (0x0009, [0, 0, 4]),
            (0x0006, Array(repeating: 0x61, count: 513)),
        ]
        for (type, value) in cases {
            #expect(throws: STUNError.invalidAttributeLength(type: type, length: value.count), "0x\(String(type, radix: 16))") {
                try Self.decode(T.message(attributes: [T.attribute(type, value)]))
            }
        }
    }

    @Test func badAttributeContentsAreRefused() {
        #expect(throws: STUNError.invalidAddressFamily(0x03)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0020, [0, 3, 0, 0, 1, 2, 3, 4])]))
        }
        #expect(throws: STUNError.invalidAddressFamily(0x00)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0001, [0, 0, 0, 0, 1, 2, 3, 4])]))
        }
        #expect(throws: STUNError.invalidUTF8(type: 0x0006)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0006, [0x61, 0xFF, 0x62])]))
        }
        #expect(throws: STUNError.invalidUTF8(type: 0x0009)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0009, [0, 0, 4, 1, 0xC3])]))
        }
        #expect(throws: STUNError.invalidErrorCode(class: 7, number: 0)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0009, [0, 0, 7, 0])]))
        }
        #expect(throws: STUNError.invalidErrorCode(class: 2, number: 0)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0009, [0, 0, 2, 0])]))
        }
        #expect(throws: STUNError.invalidErrorCode(class: 4, number: 100)) {
            try Self.decode(T.message(attributes: [T.attribute(0x0009, [0, 0, 4, 100])]))
        }
        #expect(throws: STUNError.attributeAfterFingerprint(type: 0x8022)) {
            try Self.decode(T.message(attributes: [T.attribute(0x8028, [0, 0, 0, 0]), T.attribute(0x8022, [1])]))
        }
        #expect(throws: STUNError.attributeAfterFingerprint(type: 0x8028)) {
            try Self.decode(T.message(attributes: [T.attribute(0x8028, [0, 0, 0, 0]), T.attribute(0x8028, [0, 0, 0, 0])]))
        }
    }

    @Test func plainMappedAddressAndLongestUsernameDecode() throws {
        let m = try Self.decode(
            T.message(
                type: 0x0101,
                attributes: [
                    T.attribute(0x0001, [0, 1, 0x0D, 0x96, 192, 0, 2, 1]),
                    T.attribute(0x0006, Array(repeating: 0x61, count: 512)),
                    T.attribute(0x0009, [0, 0, 0x04, 87] + Array("Role Conflict".utf8)),
                ]))
        #expect(m.mappedAddress == (try SocketAddress(ipAddress: "192.0.2.1", port: 3478)))
        #expect(m.username?.utf8.count == 512)
        #expect(m.errorCode == .roleConflict)
    }

    @Test func unknownAttributesAreKeptNotRefused() throws {
        let m = try Self.decode(
            T.message(attributes: [
                T.attribute(0x7FFF, [1, 2, 3]),
                T.attribute(0xC001, []),
                T.attribute(0x0024, [0, 0, 0, 9]),
            ]))
        #expect(m.unknownAttributes.map(\.type.rawValue) == [0x7FFF, 0xC001])
        #expect(m.unknownAttributes.first.map { Array($0.value.readableBytesView) } == [1, 2, 3])
        #expect(m.unknownComprehensionRequiredAttributes == [STUNAttributeType(rawValue: 0x7FFF)])
        #expect(m.priority == 9)
        #expect(!m.hasMessageIntegrity)
        #expect(!m.validatesIntegrity(password: "x"))
        #expect(!m.hasValidFingerprint)
    }

    @Test func onlySoManyUnknownAttributesAreKept() throws {
        let many = (0..<1000).map { T.attribute(0xC000 + UInt16($0), [UInt8(truncatingIfNeeded: $0)]) }
        let m = try Self.decode(T.message(attributes: many + [T.attribute(0x0024, [0, 0, 0, 1])]))
        #expect(m.unknownAttributes.count == STUNMessage.maxKeptUnknownAttributes)
        #expect(m.priority == 1, "attributes after the dropped ones are still read")
    }

    @Test func firstOfRepeatedAttributesCounts() throws {
        let m = try Self.decode(
            T.message(attributes: [
                T.attribute(0x0024, [0, 0, 0, 1]), T.attribute(0x0024, [0, 0, 0, 2]),
                T.attribute(0x0006, Array("first".utf8)), T.attribute(0x0006, Array("second".utf8)),
            ]))
        #expect(m.priority == 1)
        #expect(m.username == "first")
    }

    /// Attributes between MESSAGE-INTEGRITY and FINGERPRINT are not covered by the HMAC, so they
    /// are not believed.
    @Test func attributesAfterIntegrityAreIgnored() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: .random())
        writer.append(.username, value: Array("a:b".utf8))
        writer.appendMessageIntegrity(key: .init(data: Array("pw".utf8)))
        writer.append(.priority, uint32: 42)
        writer.append(.useCandidate, value: [])
        writer.append(.username, value: Array("evil:x".utf8))
        writer.appendFingerprint()
        let m = try STUNMessage(decoding: writer.buffer)
        #expect(m.username == "a:b")
        #expect(m.priority == nil)
        #expect(!m.useCandidate)
        #expect(m.validatesIntegrity(password: "pw"))
        #expect(m.hasValidFingerprint)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 0x5354_554E)
        var decoded = 0
        for _ in 0..<20_000 {
            let bytes = generator.bytes(Int.random(in: 0...96, using: &generator))
            if (try? Self.decode(bytes)) != nil { decoded += 1 }
        }
        #expect(decoded < 20_000)
    }

    /// Random bodies behind a header that passes, so the attribute walk itself is exercised.
    @Test func randomBodiesBehindAValidHeaderNeverCrash() {
        var generator = SeededGenerator(seed: 8489)
        var outcomes: [String: Int] = [:]
        for _ in 0..<20_000 {
            var body = generator.bytes(4 * Int.random(in: 0...24, using: &generator))
            // Bias attribute types toward the known ones so their validation runs too.
            let known: [UInt16] = [0x0001, 0x0006, 0x0008, 0x0009, 0x0020, 0x0024, 0x0025, 0x8028, 0x8029, 0x802A]
            var i = 0
            while i + 4 <= body.count {
                if Bool.random(using: &generator), let type = known.randomElement(using: &generator) {
                    body[i] = UInt8(type >> 8)
                    body[i + 1] = UInt8(type & 0xFF)
                    body[i + 2] = 0
                    body[i + 3] = UInt8.random(in: 0...24, using: &generator)
                }
                i += 4 + (Int(body[i + 2]) << 8 | Int(body[i + 3]) + 3) & ~3
            }
            do {
                let m = try Self.decode(T.message(body: body))
                _ = m.validatesIntegrity(password: "pw")
                _ = m.hasValidFingerprint
                outcomes["decoded", default: 0] += 1
            } catch {
                // The case name, e.g. "attributeOverrun".
                outcomes[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
            }
        }
        #expect(outcomes["decoded", default: 0] > 0)
        #expect(outcomes.count > 3, "\(outcomes)")
    }

    @Test func mutatedVectorsNeverCrash() {
        var generator = SeededGenerator(seed: 5769)
        for _ in 0..<5_000 {
            guard var bytes = RFC5769Vectors.all.randomElement(using: &generator)?.bytes else { continue }
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: bytes.indices, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if let m = try? Self.decode(bytes) {
                _ = m.validatesIntegrity(password: RFC5769Vectors.password)
                _ = m.hasValidFingerprint
            }
        }
    }
}
