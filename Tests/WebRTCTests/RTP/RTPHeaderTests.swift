import NIOCore
import RelayTestSupport
import Testing

@testable import WebRTC

@Suite("RTPHeader")
struct RTPHeaderTests {
    private func roundTrip(_ header: RTPHeader, payload: [UInt8] = [1, 2, 3]) throws -> RTPPacket {
        var buffer = ByteBuffer()
        try header.write(into: &buffer)
        #expect(buffer.readableBytes == (try header.encodedSize()))
        #expect(buffer.readableBytes % 4 == 0)
        buffer.writeBytes(payload)
        let packet = try RTPPacket.parse(buffer)
        #expect(Array(packet.payload.readableBytesView) == payload)
        return packet
    }

    @Test("parses a hand-built packet")
    func parsesHandBuilt() throws {
        let bytes: [UInt8] = [
            0x80, 0xE0, 0x12, 0x34,  // V=2, M=1, PT=96, seq 0x1234
            0xDE, 0xAD, 0xBE, 0xEF,  // timestamp
            0x01, 0x02, 0x03, 0x04,  // SSRC
            0xAA, 0xBB,
        ]
        let packet = try RTPPacket.parse(ByteBuffer(bytes: bytes))
        #expect(packet.header.marker)
        #expect(packet.header.payloadType == 96)
        #expect(packet.header.sequenceNumber == 0x1234)
        #expect(packet.header.timestamp == 0xDEAD_BEEF)
        #expect(packet.header.ssrc == 0x0102_0304)
        #expect(packet.header.csrcs.isEmpty && packet.header.extensions.isEmpty)
        #expect(Array(packet.payload.readableBytesView) == [0xAA, 0xBB])
    }

    @Test("fixed header round trip is 12 bytes")
    func fixedRoundTrip() throws {
        let header = RTPHeader(marker: true, payloadType: 111, sequenceNumber: 65535, timestamp: 0xFFFF_FFFF, ssrc: 42)
        #expect(try header.encodedSize() == 12)
        #expect(try roundTrip(header).header == header)
    }

    @Test("one-byte extensions and CSRCs round trip")
    func oneByteExtensions() throws {
        let header = RTPHeader(
            payloadType: 96,
            sequenceNumber: 7,
            timestamp: 90000,
            ssrc: 0xCAFE,
            csrcs: [1, 2, 3],
            extensions: [
                RTPHeaderExtension(id: 1, bytes: Array("0".utf8)),  // mid
                RTPHeaderExtension(id: 3, bytes: [0x12, 0x34]),  // transport-wide sequence number
                RTPHeaderExtension(id: 14, bytes: Array(repeating: 0x55, count: 16)),
            ]
        )
        let parsed = try roundTrip(header).header
        #expect(parsed.extensionProfile == 0xBEDE)
        #expect(parsed.csrcs == [1, 2, 3])
        #expect(parsed.extensions == header.extensions)
        #expect(parsed.extensionData(id: 3) == ByteBuffer(bytes: [0x12, 0x34]))
        // 12 + 12 (CSRCs) + 4 + (2 + 3 + 17 = 22 -> 24)
        #expect(try header.encodedSize() == 52)
    }

    @Test("elements the one-byte form cannot carry use the two-byte form")
    func twoByteExtensions() throws {
        let header = RTPHeader(
            payloadType: 96,
            sequenceNumber: 7,
            timestamp: 1,
            ssrc: 2,
            extensions: [
                RTPHeaderExtension(id: 1, bytes: [9]),
                RTPHeaderExtension(id: 200, bytes: Array(repeating: 7, count: 40)),
                RTPHeaderExtension(id: 2, data: ByteBuffer()),
            ]
        )
        let parsed = try roundTrip(header).header
        #expect(parsed.extensionProfile == 0x1000)
        #expect(parsed.extensions == header.extensions)
    }

    @Test("parses padding bytes and ID 15 in the one-byte form")
    func oneByteParsingRules() throws {
        let bytes: [UInt8] = [
            0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3,
            0xBE, 0xDE, 0, 2,  // two words of elements
            0x10, 0xAB, 0x00, 0x00,  // id 1, 1 byte; padding
            0x21, 0xCD, 0xEF, 0xF0,  // id 2, 2 bytes; id 15 stops
            0x77,
        ]
        let packet = try RTPPacket.parse(ByteBuffer(bytes: bytes))
        #expect(
            packet.header.extensions == [
                RTPHeaderExtension(id: 1, bytes: [0xAB]),
                RTPHeaderExtension(id: 2, bytes: [0xCD, 0xEF]),
            ])
        #expect(Array(packet.payload.readableBytesView) == [0x77])
    }

    @Test("an unknown extension profile is kept and written back as it came")
    func rawExtensionProfile() throws {
        let bytes: [UInt8] = [0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x12, 0x34, 0, 1, 1, 2, 3, 4, 0x99]
        let packet = try RTPPacket.parse(ByteBuffer(bytes: bytes))
        #expect(packet.header.extensionProfile == 0x1234)
        #expect(packet.header.extensions == [RTPHeaderExtension(id: 0, bytes: [1, 2, 3, 4])])
        var written = ByteBuffer()
        try packet.write(into: &written)
        #expect(Array(written.readableBytesView) == bytes)
    }

    @Test("padding is removed from the payload")
    func padding() throws {
        let bytes: [UInt8] = [0xA0, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x42, 0, 0, 3]
        let packet = try RTPPacket.parse(ByteBuffer(bytes: bytes))
        #expect(packet.header.hasPadding)
        #expect(Array(packet.payload.readableBytesView) == [0x42])
        #expect(throws: RTPError.invalidPadding) { try RTPPacket.parse(ByteBuffer(bytes: Array(bytes.dropLast()) + [0])) }
        #expect(throws: RTPError.invalidPadding) { try RTPPacket.parse(ByteBuffer(bytes: Array(bytes.dropLast()) + [5])) }
    }

    @Test("writes in place at an offset without a ByteBuffer")
    func writesInPlace() throws {
        let header = RTPHeader(
            payloadType: 96, sequenceNumber: 0xBEEF, timestamp: 3, ssrc: 4,
            extensions: [RTPHeaderExtension(id: 5, bytes: [1, 2])])
        var storage = [UInt8](repeating: 0xEE, count: 64)
        let written = try storage.withUnsafeMutableBytes { raw in try header.write(into: raw, at: 8) }
        #expect(written == 20)
        #expect(storage[0..<8].allSatisfy { $0 == 0xEE })
        #expect(storage[28...].allSatisfy { $0 == 0xEE })
        var expected = header
        expected.extensionProfile = 0xBEDE
        #expect(try RTPHeader.parse(ByteBuffer(bytes: storage[8..<28])).header == expected)
        #expect(throws: RTPError.bufferTooSmall(needed: 20)) {
            try storage.withUnsafeMutableBytes { raw in try header.write(into: raw, at: 50) }
        }
    }

    @Test("a viewer's packet is its header then the shared payload")
    func writesViewerPacket() throws {
        let payload = RTPPayload(bytes: ByteBuffer(bytes: [9, 8, 7]), marker: true)
        let header = RTPHeader(payloadType: 102, sequenceNumber: 1, timestamp: 2, ssrc: 3)
        var storage = [UInt8](repeating: 0, count: 1500)
        let size = try storage.withUnsafeMutableBytes { raw in try payload.writePacket(header: header, into: raw, at: 0) }
        let packet = try RTPPacket.parse(ByteBuffer(bytes: storage[..<size]))
        #expect(packet.header.marker)
        #expect(packet.payload == payload.bytes)
    }

    @Test("the per-packet extension value is overwritten in place")
    func overwritesExtensionInPlace() throws {
        var header = RTPHeader(
            payloadType: 96, sequenceNumber: 0, timestamp: 0, ssrc: 1,
            extensions: [RTPHeaderExtension(id: 3, bytes: [0, 0])])
        for sequence: UInt16 in [1, 500, 65535] {
            header.extensions[0].data.setInteger(sequence, at: header.extensions[0].data.readerIndex)
            var buffer = ByteBuffer()
            try header.write(into: &buffer)
            #expect(try RTPHeader.parse(buffer).header.extensionData(id: 3)?.getInteger(at: 0, as: UInt16.self) == sequence)
        }
    }

    @Test("unwritable headers throw")
    func unwritable() {
        let tooMany = RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: Array(0..<16))
        #expect(throws: RTPError.tooManyCSRCs(16)) { try tooMany.encodedSize() }
        let longValue = RTPHeader(
            payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0,
            extensions: [RTPHeaderExtension(id: 1, bytes: Array(repeating: 0, count: 256))])
        #expect(throws: RTPError.unencodableExtension(id: 1, length: 256)) { try longValue.encodedSize() }
        let idZero = RTPHeader(
            payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0,
            extensions: [RTPHeaderExtension(id: 0, bytes: [1])])
        #expect(throws: RTPError.unencodableExtension(id: 0, length: 1)) { try idZero.encodedSize() }
    }

    @Test("every truncation of a full packet throws or parses within bounds")
    func truncations() throws {
        let header = RTPHeader(
            marker: true, payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [4, 5],
            extensions: [RTPHeaderExtension(id: 1, bytes: [1, 2, 3])])
        var buffer = ByteBuffer()
        try header.write(into: &buffer)
        let headerSize = buffer.readableBytes
        let bytes = Array(buffer.readableBytesView)
        for length in 0..<headerSize {
            #expect(throws: RTPError.self) { try RTPPacket.parse(ByteBuffer(bytes: bytes.prefix(length))) }
        }
        #expect(throws: RTPError.unsupportedVersion(1)) { try RTPPacket.parse(ByteBuffer(bytes: [0x40] + bytes.dropFirst())) }
    }

    @Test("random bytes never trap")
    func randomBytes() {
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<2000 {
            var bytes = generator.bytes(Int.random(in: 0...80, using: &generator))
            if !bytes.isEmpty { bytes[0] = bytes[0] & 0x3F | 0x80 }
            if let packet = try? RTPPacket.parse(ByteBuffer(bytes: bytes)) {
                #expect(packet.payload.readableBytes <= bytes.count)
            }
        }
    }
}
