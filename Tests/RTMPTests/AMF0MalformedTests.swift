import NIOCore
import RelayTestSupport
import Testing

@testable import RTMP

@Suite("AMF0 malformed input")
struct AMF0MalformedTests {
    static func decode(_ bytes: [UInt8]) throws(AMF0Error) -> [AMF0Value] {
        var buffer = ByteBuffer(bytes: bytes)
        return try buffer.readAMF0Values()
    }

    @Test func corpusFilesAllThrow() {
        let files = Corpus.files("amf0")
        #expect(files.count >= 20, "corpus not found in the test bundle")
        for file in files {
            #expect(throws: AMF0Error.self, "\(file.name)") { try Self.decode(file.bytes) }
        }
    }

    @Test func corpusSpecificErrors() throws {
        let byName = Dictionary(uniqueKeysWithValues: Corpus.files("amf0").map { ($0.name, $0.bytes) })
        func error(_ name: String) -> AMF0Error? {
            guard let bytes = byName[name + ".bin"] else { return nil }
            do {
                _ = try Self.decode(bytes)
                return nil
            } catch { return error }
        }
        #expect(error("truncated_number") == .truncated)
        #expect(error("unknown_marker_12") == .unknownMarker(0x12))
        #expect(error("movieclip") == .unsupportedMarker(0x04))
        #expect(error("reference") == .unsupportedMarker(0x07))
        #expect(error("avmplus") == .unsupportedMarker(0x11))
        #expect(error("invalid_utf8_string") == .invalidUTF8)
        #expect(error("invalid_utf8_key") == .invalidUTF8)
        #expect(error("deep_strict_arrays") == .tooDeep)
        #expect(error("deep_objects") == .tooDeep)
        #expect(error("huge_strict_array") == .tooLarge(Int(UInt32.max)))
        #expect(error("huge_long_string") == .truncated)
        #expect(error("connect_then_reference") == .unsupportedMarker(0x07))
    }

    static let samples: [AMF0Value] = [
        .number(3.5), .boolean(true), .string("hello"), .string(String(repeating: "z", count: 70_000)),
        .object(["app": .string("live"), "n": .number(1)]),
        .ecmaArray(["width": .number(1280), "list": .strictArray([.null, .string("x")])]),
        .strictArray([.number(1), .undefined, .object([:])]),
        .date(12345), .xmlDocument("<x/>"), .typedObject(className: "T", ["a": .boolean(false)]),
    ]

    @Test(arguments: samples)
    func everyTruncationThrows(_ value: AMF0Value) {
        var buffer = ByteBuffer()
        buffer.writeAMF0(value)
        let bytes = Array(buffer.readableBytesView)
        // Long strings: check every prefix of the header and a spread of the body.
        let lengths =
            bytes.count > 2000
            ? Array(0..<64) + stride(from: 64, to: bytes.count, by: 997).map { $0 } + [bytes.count - 1]
            : Array(0..<bytes.count)
        for length in lengths {
            var prefix = ByteBuffer(bytes: bytes[..<length])
            #expect(throws: AMF0Error.self, "prefix \(length) of \(bytes.count)") { try prefix.readAMF0Value() }
        }
    }

    @Test func everyUnknownMarkerThrows() {
        for marker in UInt8(0x12)...UInt8(0xFF) {
            #expect(throws: AMF0Error.unknownMarker(marker)) { try Self.decode([marker, 0, 0, 0, 0]) }
        }
    }

    @Test(arguments: [UInt8(0x04), 0x07, 0x09, 0x0E, 0x11])
    func unsupportedMarkersThrow(_ marker: UInt8) {
        #expect(throws: AMF0Error.unsupportedMarker(marker)) { try Self.decode([marker, 0, 1]) }
        // Also inside containers.
        #expect(throws: AMF0Error.unsupportedMarker(marker)) { try Self.decode([0x0A, 0, 0, 0, 1, marker, 0, 1]) }
        #expect(throws: AMF0Error.unsupportedMarker(marker)) { try Self.decode([0x03, 0, 1, 0x61, marker, 0, 1]) }
    }

    @Test func nestingLimitIsExactlyThirtyTwo() throws {
        func nested(_ levels: Int) -> [UInt8] {
            Array(repeating: [UInt8]([0x0A, 0, 0, 0, 1]), count: levels).flatMap { $0 } + [0x05]
        }
        #expect(try Self.decode(nested(31)).count == 1)
        #expect(throws: AMF0Error.tooDeep) { try Self.decode(nested(32)) }
        #expect(throws: AMF0Error.tooDeep) { try Self.decode(nested(10_000)) }
    }

    @Test func hugeCountsAreRefusedBeforeAllocating() {
        for count: UInt32 in [65_537, 1 << 24, UInt32.max] {
            var bytes: [UInt8] = [0x0A]
            withUnsafeBytes(of: count.bigEndian) { bytes += $0 }
            #expect(throws: AMF0Error.tooLarge(Int(count))) { try Self.decode(bytes) }
        }
        // Within the limit but more entries than bytes left.
        #expect(throws: AMF0Error.tooLarge(1000)) { try Self.decode([0x0A, 0, 0, 0x03, 0xE8, 0x05]) }
    }

    @Test func invalidUTF8EverywhereAStringIs() {
        let bad: [UInt8] = [0xC0, 0xAF]
        #expect(throws: AMF0Error.invalidUTF8) { try Self.decode([0x02, 0, 2] + bad) }
        #expect(throws: AMF0Error.invalidUTF8) { try Self.decode([0x0C, 0, 0, 0, 2] + bad) }
        #expect(throws: AMF0Error.invalidUTF8) { try Self.decode([0x0F, 0, 0, 0, 2] + bad) }
        #expect(throws: AMF0Error.invalidUTF8) { try Self.decode([0x10, 0, 2] + bad + [0, 0, 9]) }
        #expect(throws: AMF0Error.invalidUTF8) { try Self.decode([0x08, 0, 0, 0, 1, 0, 2] + bad + [0x05, 0, 0, 9]) }
    }

    @Test func tooManyObjectPropertiesThrow() {
        // 65 537 properties with an empty key and a null value each (3 bytes apiece).
        var bytes: [UInt8] = [0x03]
        bytes.reserveCapacity(4 * 65_540)
        for _ in 0..<65_537 { bytes += [0x00, 0x00, 0x05] }
        bytes += [0x00, 0x00, 0x09]
        #expect(throws: AMF0Error.tooLarge(65_536)) { try Self.decode(bytes) }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SeededGenerator(seed: 0xA3F0)
        var decoded = 0, refused = 0
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...64, using: &rng)
            var bytes = rng.bytes(length)
            // Bias towards valid markers so containers get exercised.
            if !bytes.isEmpty { bytes[0] = UInt8.random(in: 0...0x11, using: &rng) }
            do {
                _ = try Self.decode(bytes)
                decoded += 1
            } catch { refused += 1 }
        }
        // Both outcomes are exercised (the bias towards valid markers makes some inputs decode).
        #expect(decoded > 0)
        #expect(refused > 0)
    }

    @Test func randomMutationsOfValidEncodingsNeverCrash() {
        var rng = SeededGenerator(seed: 42)
        var buffer = ByteBuffer()
        buffer.writeAMF0(Array(Self.samples.prefix(3) + Self.samples.suffix(6)))
        let valid = Array(buffer.readableBytesView)
        for _ in 0..<2_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            var b = ByteBuffer(bytes: bytes)
            _ = try? b.readAMF0Values()
        }
    }
}
