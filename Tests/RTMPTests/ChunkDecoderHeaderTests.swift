import NIOCore
import Testing

@testable import RTMP

/// Hand-built chunk headers (RTMP spec 5.3.1): formats 1, 2, 3 and extended timestamps.
@Suite("RTMPChunkDecoder: header formats")
struct ChunkDecoderHeaderTests {
    static func decode(_ bytes: [UInt8]) throws -> [RTMPMessage] {
        Chunks.messages(try Chunks.decode(ByteBuffer(bytes: bytes), pieces: 1))
    }

    @Test func formats1And2And3ApplyDeltas() throws {
        let bytes: [UInt8] =
            [0x04, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x03, 0x09, 0x01, 0x00, 0x00, 0x00, 0xA1, 0xA2, 0xA3]  // fmt 0, ts 1000
            + [0x44, 0x00, 0x00, 0x28, 0x00, 0x00, 0x02, 0x08, 0xB1, 0xB2]  // fmt 1: +40, audio, 2 bytes
            + [0x84, 0x00, 0x00, 0x0A, 0xC1, 0xC2]  // fmt 2: +10, same length and type
            + [0xC4, 0xD1, 0xD2]  // fmt 3: +10 again
            + [0xC4, 0xE1, 0xE2]  // and again
        let out = try Self.decode(bytes)
        #expect(out.map(\.timestamp) == [1000, 1040, 1050, 1060, 1070])
        #expect(out.map(\.typeID) == [9, 8, 8, 8, 8])
        #expect(out.map(\.streamID) == [1, 1, 1, 1, 1])
        #expect(
            out.map { Array($0.payload.readableBytesView) } == [
                [0xA1, 0xA2, 0xA3], [0xB1, 0xB2], [0xC1, 0xC2], [0xD1, 0xD2], [0xE1, 0xE2],
            ])
    }

    @Test func format3AfterFormat0UsesTheTimestampAsDelta() throws {
        let bytes: [UInt8] =
            [0x05, 0x00, 0x00, 0x64, 0x00, 0x00, 0x01, 0x12, 0x00, 0x00, 0x00, 0x00, 0x01]
            + [0xC5, 0x02]
        #expect(try Self.decode(bytes).map(\.timestamp) == [100, 200])
    }

    @Test func format3ContinuesAMessageWithoutChangingItsTimestamp() throws {
        // fmt 1 starts a 130-byte message; a fmt 3 chunk carries its last 2 bytes.
        var bytes: [UInt8] = [0x04, 0x00, 0x00, 0x0A, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00]
        bytes += [0x44, 0x00, 0x00, 0x14, 0x00, 0x00, 0x82, 0x09] + Array(repeating: 0x11, count: 128)
        bytes += [0xC4, 0x22, 0x33]
        bytes += [0xC4] + Array(repeating: 0x44, count: 128) + [0xC4, 0x55, 0x66]  // next message, +20
        let out = try Self.decode(bytes)
        #expect(out.map(\.timestamp) == [10, 30, 50])
        #expect(out[1].payload.readableBytes == 130)
        #expect(out[1].payload.getBytes(at: out[1].payload.readerIndex + 128, length: 2) == [0x22, 0x33])
        #expect(out[2].payload.readableBytes == 130)
    }

    static func extendedMessage(repeatInContinuation: Bool) -> [UInt8] {
        var bytes: [UInt8] = [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xC8, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x05]
        bytes += Array(repeating: 0x77, count: 128)
        bytes += [0xC4] + (repeatInContinuation ? [0x01, 0x00, 0x00, 0x05] : [])
        bytes += Array(repeating: 0x88, count: 72)
        return bytes
    }

    @Test(arguments: [true, false])
    func extendedTimestampWithAndWithoutRepetitionInFormat3(repeated: Bool) throws {
        let out = try Self.decode(Self.extendedMessage(repeatInContinuation: repeated))
        #expect(out.count == 1)
        #expect(out.first?.timestamp == 0x0100_0005)
        #expect(out.first?.payload.readableBytes == 200)
        #expect(out.first.map { Array($0.payload.readableBytesView.suffix(72)) } == Array(repeating: 0x88, count: 72))
    }

    @Test func extendedDeltaInFormats1And2() throws {
        let bytes: [UInt8] =
            [0x06, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xAA]  // ts 1
            + [0x46, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xBB]  // fmt 1, +0x1000000
            + [0x86, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF, 0xCC]  // fmt 2, +0xFFFFFF
            + [0xC6, 0x00, 0xFF, 0xFF, 0xFF, 0xDD]  // fmt 3 new message: repeats the extended delta
            + [0x86, 0x00, 0x00, 0x02, 0xEE]  // back to a 24-bit delta
            + [0xC6, 0xFF]  // fmt 3 without an extended field now
        let out = try Self.decode(bytes)
        #expect(out.map(\.timestamp) == [1, 0x0100_0001, 0x0200_0000, 0x02FF_FFFF, 0x0300_0001, 0x0300_0003])
        #expect(out.map { $0.payload.getInteger(at: $0.payload.readerIndex, as: UInt8.self) } == [0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
    }

    @Test func timestampsWrapAround() throws {
        let bytes: [UInt8] =
            [0x04, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01, 0x09, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xF0, 0x00]
            + [0x84, 0x00, 0x00, 0x20, 0x00]
        #expect(try Self.decode(bytes).map(\.timestamp) == [0xFFFF_FFF0, 0x10])
    }

    @Test func twoAndThreeByteBasicHeadersWithFormat3() throws {
        let bytes: [UInt8] =
            [0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01]  // csid 64, ts 5
            + [0x01, 0xFF, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x02]  // csid 319, ts 7
            + [0xC0, 0x00, 0x03]  // csid 64 again: ts 10
            + [0xC1, 0xFF, 0x00, 0x04]  // csid 319 again: ts 14
            + [0x81, 0x00, 0x01, 0x00, 0x00, 0x01, 0x05]  // csid 320, fmt 2, never started
        let channelOut = try? Chunks.decode(ByteBuffer(bytes: Array(bytes.dropLast(7))))
        #expect(channelOut.map { Chunks.messages($0).map(\.timestamp) } == [5, 7, 10, 14])
        #expect(throws: RTMPProtocolError.continuationWithoutMessage(chunkStream: 320)) {
            try Chunks.decode(ByteBuffer(bytes: bytes))
        }
    }

    @Test func partialHeadersConsumeNothing() throws {
        // Header split at every position still decodes (the drip feed covers this), and a
        // buffer holding only part of a chunk yields nothing.
        let bytes = Self.extendedMessage(repeatInContinuation: true)
        for cut in 0..<bytes.count {
            let out = try Chunks.decode(ByteBuffer(bytes: bytes[..<cut]))
            #expect(out.isEmpty)
        }
    }
}
