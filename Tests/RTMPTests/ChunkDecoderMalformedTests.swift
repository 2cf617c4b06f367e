import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RTMP

@Suite("RTMPChunkDecoder: malformed input")
struct ChunkDecoderMalformedTests {
    /// The limit the corpus is decoded with (its oversized message declares 2 MiB).
    static let maxMessageSize = 1 << 20

    /// Feeds `bytes` whole and byte by byte; returns the errors (nil where none was thrown).
    static func errors(_ bytes: [UInt8]) -> (whole: (any Error)?, dripped: (any Error)?) {
        var whole: (any Error)?
        var dripped: (any Error)?
        do { _ = try Chunks.decode(ByteBuffer(bytes: bytes), maxMessageSize: maxMessageSize) } catch { whole = error }
        do { _ = try Chunks.decode(ByteBuffer(bytes: bytes), pieces: 1, maxMessageSize: maxMessageSize) } catch { dripped = error }
        return (whole, dripped)
    }

    @Test func corpusFilesAllThrow() {
        let files = Corpus.files("chunks")
        #expect(files.count >= 15, "corpus not found in the test bundle")
        for file in files {
            let (whole, dripped) = Self.errors(file.bytes)
            #expect(whole is RTMPProtocolError, "\(file.name) whole: \(String(describing: whole))")
            #expect(dripped is RTMPProtocolError, "\(file.name) dripped: \(String(describing: dripped))")
        }
    }

    @Test func corpusSpecificErrors() {
        let byName = Dictionary(uniqueKeysWithValues: Corpus.files("chunks").map { ($0.name, $0.bytes) })
        func error(_ name: String) -> RTMPProtocolError? {
            guard let bytes = byName[name + ".bin"] else { return nil }
            return Self.errors(bytes).whole as? RTMPProtocolError
        }
        #expect(error("set_chunk_size_zero") == .invalidChunkSize(0))
        #expect(error("set_chunk_size_over_16mib") == .invalidChunkSize(0x0100_0000))
        #expect(error("set_chunk_size_max_u31") == .invalidChunkSize(0x7FFF_FFFF))
        #expect(error("fmt1_on_new_chunk_stream") == .continuationWithoutMessage(chunkStream: 4))
        #expect(error("fmt2_on_new_chunk_stream") == .continuationWithoutMessage(chunkStream: 4))
        #expect(error("fmt3_on_new_chunk_stream") == .continuationWithoutMessage(chunkStream: 4))
        #expect(error("fmt3_on_new_two_byte_chunk_stream") == .continuationWithoutMessage(chunkStream: 80))
        #expect(error("fmt1_after_other_stream") == .continuationWithoutMessage(chunkStream: 5))
        #expect(error("unknown_type_7f") == .unknownMessageType(0x7F))
        #expect(error("unknown_type_0") == .unknownMessageType(0))
        #expect(error("unknown_type_7") == .unknownMessageType(7))
        #expect(error("message_longer_than_max") == .messageTooLarge(0x20_0000))
        #expect(error("new_header_mid_message") == .headerChangedMidMessage(chunkStream: 6))
        #expect(error("fmt1_mid_message") == .headerChangedMidMessage(chunkStream: 6))
        #expect(error("sixty_five_chunk_streams") == .tooManyChunkStreams)
    }

    /// Unfinished messages on many chunk streams together stay within the message size limit,
    /// so 64 chunk streams cannot each hold a message's worth of memory.
    @Test func unfinishedMessagesTogetherStayWithinTheLimit() throws {
        func opening(_ csids: Range<UInt8>) -> [UInt8] {
            var bytes: [UInt8] = []
            for csid in csids {
                bytes += [csid, 0, 0, 0, 0, 0x03, 0x84, 9, 1, 0, 0, 0]  // fmt 0, 900-byte video message
                bytes += [UInt8](repeating: 0xAB, count: 128)  // its first chunk only
            }
            return bytes
        }
        // Seven streams hold 896 bytes: fine under a 1000-byte limit; the eighth chunk is refused.
        #expect(try Chunks.decode(ByteBuffer(bytes: opening(3..<10)), maxMessageSize: 1000).isEmpty)
        #expect(throws: RTMPProtocolError.tooMuchBuffered(1024)) {
            try Chunks.decode(ByteBuffer(bytes: opening(3..<11)), maxMessageSize: 1000)
        }
        #expect(throws: RTMPProtocolError.tooMuchBuffered(1024)) {
            try Chunks.decode(ByteBuffer(bytes: opening(3..<11)), pieces: 1, maxMessageSize: 1000)
        }
        // Finished messages give their share back.
        var finished: [UInt8] = []
        for _ in 0..<20 { finished += Array(Chunks.encode(RTMPMessage(type: .video, payload: Chunks.payload(900)), csid: 4).readableBytesView) }
        #expect(Chunks.messages(try Chunks.decode(ByteBuffer(bytes: finished), maxMessageSize: 1000)).count == 20)
    }

    @Test func sixtyFourChunkStreamsAreFine() throws {
        var bytes: [UInt8] = []
        for csid in 3..<67 {
            bytes += csid < 64 ? [UInt8(csid)] : [0, UInt8(csid - 64)]
            bytes += [0, 0, 0, 0, 0, 0, 9, 1, 0, 0, 0]
        }
        #expect(try Chunks.decode(ByteBuffer(bytes: bytes)).count == 64)
    }

    @Test func defaultLimitIsSixteenMiB() throws {
        // The largest 24-bit length (16 MiB - 1) is within the default limit: the decoder waits.
        let header: [UInt8] = [0x06, 0, 0, 0, 0xFF, 0xFF, 0xFF, 9, 1, 0, 0, 0]
        #expect(try Chunks.decode(ByteBuffer(bytes: header)).isEmpty)
        #expect(throws: RTMPProtocolError.messageTooLarge(0xFF_FFFF)) {
            try Chunks.decode(ByteBuffer(bytes: header), maxMessageSize: 0xFF_FFFE)
        }
    }

    @Test func tooLargeIsRefusedBeforeThePayloadArrives() {
        let header: [UInt8] = [0x06, 0, 0, 0, 0x00, 0x10, 0x01, 9, 1, 0, 0, 0]  // 4097 bytes
        #expect(throws: RTMPProtocolError.messageTooLarge(4097)) {
            try Chunks.decode(ByteBuffer(bytes: header), maxMessageSize: 4096)
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        var refused = 0
        let rounds = 300
        for round in 0..<rounds {
            let bytes = rng.bytes(Int.random(in: 1...4096, using: &rng))
            do {
                _ = try Chunks.decode(ByteBuffer(bytes: bytes), pieces: round % 3 == 0 ? 1 : nil, maxMessageSize: Self.maxMessageSize)
            } catch {
                #expect(error is RTMPProtocolError)
                refused += 1
            }
        }
        // Most random input is refused; the rest is waiting for a chunk that never completes.
        #expect(refused > rounds / 2)
    }

    @Test func randomMutationsOfValidStreamsNeverCrash() {
        var rng = SeededGenerator(seed: 7)
        let messages = (0..<4).map { i in
            RTMPMessage(
                typeID: [8, 9, 18, 20][i], streamID: 1, timestamp: UInt32(i) * 0x80_0000,
                payload: Chunks.payload(100 + i * 150))
        }
        let valid = Array(Chunks.concat(messages.enumerated().map { Chunks.encode($1, csid: UInt32(4 + $0 * 100)) }).readableBytesView)
        for _ in 0..<500 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            _ = try? Chunks.decode(ByteBuffer(bytes: bytes), maxMessageSize: Self.maxMessageSize)
        }
    }

    @Test func channelStaysFailedAfterAnError() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RTMPChunkDecoder()))
        defer { _ = try? channel.finish() }
        #expect(throws: RTMPProtocolError.unknownMessageType(0x7F)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x03, 0, 0, 0, 0, 0, 1, 0x7F, 0, 0, 0, 0, 0]))
        }
        // Valid bytes afterwards produce nothing.
        _ = try? channel.writeInbound(Chunks.encode(RTMPMessage(type: .audio, payload: Chunks.payload(3)), csid: 7))
        #expect(try channel.readInbound(as: RTMPChunkDecoder.Output.self) == nil)
    }
}
