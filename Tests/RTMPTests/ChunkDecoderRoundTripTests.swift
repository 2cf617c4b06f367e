import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import RTMP

@Suite("RTMPChunkDecoder: round trip with RTMPChunkEncoder")
struct ChunkDecoderRoundTripTests {
    static let sizes = [1, 128, 129, 4096, 60_000]
    static let streamIDs: [UInt32] = [3, 63, 64, 200, 319, 320, 1000, 65_599]

    static func sample(_ i: Int, size: Int, timestamp: UInt32) -> RTMPMessage {
        RTMPMessage(
            typeID: [8, 9, 18, 20][i % 4], streamID: UInt32(i % 3), timestamp: timestamp,
            payload: Chunks.payload(size, seed: UInt8(truncatingIfNeeded: i)))
    }

    @Test(arguments: sizes)
    func chunkSizes(_ chunkSize: Int) throws {
        let messages = [0, 1, 127, 128, 129, 300, 5000].enumerated().map { i, size in
            Self.sample(i, size: size, timestamp: UInt32(i * 33))
        }
        var input = chunkSize == 128 ? ByteBuffer() : Chunks.setChunkSize(UInt32(chunkSize))
        for (i, m) in messages.enumerated() {
            var b = Chunks.encode(m, csid: UInt32(3 + i), chunkSize: chunkSize)
            input.writeBuffer(&b)
        }
        #expect(try Chunks.decode(input) == messages.map { .message($0) })
        #expect(try Chunks.decode(input, pieces: 1) == messages.map { .message($0) })
        #expect(try Chunks.decode(input, pieces: 7) == messages.map { .message($0) })
    }

    @Test(arguments: streamIDs)
    func chunkStreamIDs(_ csid: UInt32) throws {
        let m = Self.sample(1, size: 300, timestamp: 1234)
        let input = Chunks.encode(m, csid: csid)
        if csid >= 320 {
            #expect(input.getInteger(at: 0, as: UInt8.self) == 0x01)
        } else if csid >= 64 {
            #expect(input.getInteger(at: 0, as: UInt8.self) == 0x00)
        }
        #expect(try Chunks.decode(input, pieces: 1) == [.message(m)])
    }

    @Test(arguments: [UInt32(0xFF_FFFE), 0xFF_FFFF, 0x100_0000, 0xFFFF_FFFF])
    func extendedTimestamps(_ timestamp: UInt32) throws {
        for size in [10, 128, 1000] {
            let m = Self.sample(size, size: size, timestamp: timestamp)
            let input = Chunks.encode(m, csid: 6)
            let extended = timestamp >= 0xFF_FFFF
            #expect(input.readableBytes == 12 + (extended ? 4 : 0) + size + (size - 1) / 128 * (extended ? 5 : 1))
            #expect(try Chunks.decode(input) == [.message(m)])
            #expect(try Chunks.decode(input, pieces: 1) == [.message(m)])
        }
    }

    @Test func interleavedChunkStreams() throws {
        let a = Self.sample(0, size: 1000, timestamp: 10)
        let b = Self.sample(1, size: 700, timestamp: 0x1_2345_67)
        let c = Self.sample(2, size: 5, timestamp: 20)
        let ca = Chunks.chunks(a, csid: 4, chunkSize: 128)
        let cb = Chunks.chunks(b, csid: 300, chunkSize: 128)
        var mixed: [ByteBuffer] = []
        for i in 0..<max(ca.count, cb.count) {
            if i < ca.count { mixed.append(ca[i]) }
            if i == 2 { mixed.append(Chunks.encode(c, csid: 5)) }
            if i < cb.count { mixed.append(cb[i]) }
        }
        let out = try Chunks.decode(Chunks.concat(mixed), pieces: 1)
        // b (6 chunks) completes before a (8 chunks); c completes first.
        #expect(out == [.message(c), .message(b), .message(a)])
    }

    @Test func verifierAgreesOnEveryFeeding() throws {
        let messages = (0..<6).map { Self.sample($0, size: [0, 5, 128, 129, 600, 2048][$0], timestamp: UInt32($0) * 0x40_0000) }
        let a = Chunks.chunks(messages[4], csid: 10, chunkSize: 256)
        let b = Chunks.chunks(messages[5], csid: 400, chunkSize: 256)
        var parts: [ByteBuffer] = [Chunks.setChunkSize(256)]
        for (i, m) in messages.prefix(4).enumerated() {
            parts.append(Chunks.encode(m, csid: UInt32(20 + i), chunkSize: 256))
        }
        parts += [a[0], b[0], a[1], b[1], a[2], b[2]] + b[3...]
        #expect(a.count == 3 && b.count == 8)
        let expected: [RTMPChunkDecoder.Output] = messages.prefix(4).map { .message($0) } + [.message(messages[4]), .message(messages[5])]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(Chunks.concat(parts), expected)],
            decoderFactory: { RTMPChunkDecoder() }
        )
    }

    @Test func emptyMessage() throws {
        let m = RTMPMessage(type: .video, streamID: 1, timestamp: 5, payload: ByteBuffer())
        #expect(try Chunks.decode(Chunks.encode(m, csid: 6)) == [.message(m)])
    }

    @Test func encoderBasicHeaders() {
        var b = ByteBuffer()
        RTMPChunkEncoder.writeBasicHeader(format: 3, csid: 2, into: &b)
        RTMPChunkEncoder.writeBasicHeader(format: 1, csid: 64, into: &b)
        RTMPChunkEncoder.writeBasicHeader(format: 2, csid: 319, into: &b)
        RTMPChunkEncoder.writeBasicHeader(format: 0, csid: 320, into: &b)
        RTMPChunkEncoder.writeBasicHeader(format: 0, csid: 65_599, into: &b)
        #expect(Array(b.readableBytesView) == [0xC2, 0x40, 0x00, 0x80, 0xFF, 0x01, 0x00, 0x01, 0x01, 0xFF, 0xFF])
    }
}
