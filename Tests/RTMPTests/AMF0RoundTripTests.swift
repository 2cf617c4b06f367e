import NIOCore
import Testing

@testable import RTMP

@Suite("AMF0 round trip")
struct AMF0RoundTripTests {
    static let values: [AMF0Value] = [
        .number(0), .number(-1.5), .number(1e300), .number(.infinity), .number(-0.0),
        .boolean(true), .boolean(false),
        .string(""), .string("live"), .string("教室 ✓"),
        .object([:]),
        .object(["app": .string("live"), "tcUrl": .string("rtmp://h/live"), "objectEncoding": .number(0)]),
        .ecmaArray([:]),
        .ecmaArray(["duration": .number(0), "width": .number(1920), "stereo": .boolean(true)]),
        .strictArray([]),
        .strictArray([.number(1), .string("two"), .null, .undefined, .boolean(false)]),
        .null, .undefined,
        .date(1_700_000_000_000),
        .xmlDocument("<a/>"),
        .typedObject(className: "flex.Msg", ["id": .number(7)]),
    ]

    @Test(arguments: values)
    func roundTrip(_ value: AMF0Value) throws {
        var buffer = ByteBuffer()
        buffer.writeAMF0(value)
        let decoded = try buffer.readAMF0Value()
        #expect(decoded == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test func allValuesInOneBuffer() throws {
        var buffer = ByteBuffer()
        buffer.writeAMF0(Self.values)
        #expect(try buffer.readAMF0Values() == Self.values)
    }

    @Test func longStringOver65535Bytes() throws {
        let long = String(repeating: "ab", count: 40_000)  // 80 000 bytes
        var buffer = ByteBuffer()
        buffer.writeAMF0(.string(long))
        #expect(buffer.getInteger(at: 0, as: UInt8.self) == AMF0Marker.longString.rawValue)
        #expect(buffer.getInteger(at: 1, as: UInt32.self) == 80_000)
        #expect(try buffer.readAMF0Value() == .string(long))
    }

    @Test func stringOfExactly65535BytesIsShort() throws {
        let s = String(repeating: "x", count: 0xFFFF)
        var buffer = ByteBuffer()
        buffer.writeAMF0(.string(s))
        #expect(buffer.getInteger(at: 0, as: UInt8.self) == AMF0Marker.string.rawValue)
        #expect(try buffer.readAMF0Value() == .string(s))
    }

    @Test func nestedDeeply() throws {
        // 31 levels of nesting are accepted (the limit is 32).
        var value: AMF0Value = .string("leaf")
        for i in 0..<31 {
            value = i % 3 == 0 ? .object(["k": value]) : (i % 3 == 1 ? .strictArray([value]) : .ecmaArray(["e": value]))
        }
        var buffer = ByteBuffer()
        buffer.writeAMF0(value)
        #expect(try buffer.readAMF0Value() == value)
    }

    @Test func mixedNested() throws {
        let value: AMF0Value = .object([
            "list": .strictArray([.object(["a": .number(1)]), .ecmaArray(["b": .strictArray([.date(0)])])]),
            "when": .date(-1),
            "nothing": .null,
        ])
        var buffer = ByteBuffer()
        buffer.writeAMF0(value)
        #expect(try buffer.readAMF0Value() == value)
    }

    @Test func wireFormatOfNumberAndObject() {
        var buffer = ByteBuffer()
        buffer.writeAMF0(.number(1))
        #expect(Array(buffer.readableBytesView) == [0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0])
        buffer.clear()
        buffer.writeAMF0(.object(["a": .boolean(true)]))
        #expect(Array(buffer.readableBytesView) == [0x03, 0x00, 0x01, 0x61, 0x01, 0x01, 0x00, 0x00, 0x09])
        buffer.clear()
        buffer.writeAMF0(.ecmaArray(["a": .null]))
        #expect(Array(buffer.readableBytesView) == [0x08, 0, 0, 0, 1, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00, 0x09])
    }

    @Test func ecmaArrayCountIsAdvisory() throws {
        // Count says 5; the properties end at the object-end marker after one.
        var buffer = ByteBuffer(bytes: [0x08, 0, 0, 0, 5, 0x00, 0x01, 0x61, 0x05, 0x00, 0x00, 0x09])
        #expect(try buffer.readAMF0Value() == .ecmaArray(["a": .null]))
    }

    @Test func emptyKeyWithValueIsAccepted() throws {
        // An empty key followed by a value (not the end marker), as some encoders write.
        var buffer = ByteBuffer(bytes: [0x03, 0x00, 0x00, 0x05, 0x00, 0x00, 0x09])
        #expect(try buffer.readAMF0Value() == .object(AMF0Object([(key: "", value: .null)])))
    }

    @Test func unsupportedMarkerReadsAsUndefined() throws {
        var buffer = ByteBuffer(bytes: [0x0D])
        #expect(try buffer.readAMF0Value() == .undefined)
    }

    @Test func accessors() {
        #expect(AMF0Value.string("s").stringValue == "s")
        #expect(AMF0Value.number(2).numberValue == 2)
        #expect(AMF0Value.null.stringValue == nil)
        #expect(AMF0Value.ecmaArray(["k": .null]).objectValue?["k"] == .null)
        #expect(AMF0Value.typedObject(className: "c", ["k": .null]).objectValue != nil)
        var o: AMF0Object = ["a": .number(1)]
        o["b"] = .number(2)
        o["a"] = .number(3)
        o["b"] = nil
        #expect(o == ["a": .number(3)])
    }

    /// Keys longer than 65 535 bytes are cut on a character boundary, so they stay valid UTF-8.
    @Test func overlongKeyStaysValidUTF8() throws {
        let key = String(repeating: "é", count: 40_000)  // 80 000 bytes
        var buffer = ByteBuffer()
        buffer.writeAMF0(.object([key: .null]))
        // The writer cuts the key to AMF0's 16-bit length at a character boundary: what comes
        // back is a non-empty prefix of whole "é"s, never a split UTF-8 sequence.
        guard case .object(let decoded) = try buffer.readAMF0Value(), let cut = decoded.properties.first?.key else {
            Issue.record("the object did not come back")
            return
        }
        #expect(!cut.isEmpty)
        #expect(cut.utf8.count <= 65_535)
        #expect(key.hasPrefix(cut))
        #expect(cut.allSatisfy { $0 == "é" })
        #expect(cut.utf8.count % 2 == 0)
    }
}
