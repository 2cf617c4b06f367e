import NIOCore
import Testing

@testable import RTMP

@Suite("RTMPChunkDecoder: protocol control messages")
struct ChunkDecoderControlTests {
    @Test func setChunkSizeIsAppliedAndNotPassedOn() throws {
        let big = RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: Chunks.payload(3000))
        var withSize = Chunks.setChunkSize(4096)
        var one = Chunks.encode(big, csid: 6, chunkSize: 4096)
        #expect(one.readableBytes == 12 + 3000, "one chunk")
        withSize.writeBuffer(&one)
        #expect(try Chunks.decode(withSize, pieces: 1) == [.message(big)])
    }

    @Test func setChunkSizeIgnoresTheHighBit() throws {
        let m = RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: Chunks.payload(200))
        let input = Chunks.concat([Chunks.setChunkSize(0x8000_0100), Chunks.encode(m, csid: 6, chunkSize: 256)])
        #expect(try Chunks.decode(input) == [.message(m)])
    }

    @Test func setChunkSizeBetweenMessagesAndBackToSmall() throws {
        let m = RTMPMessage(type: .audio, streamID: 1, timestamp: 9, payload: Chunks.payload(500))
        let input = Chunks.concat([
            Chunks.setChunkSize(1), Chunks.encode(m, csid: 7, chunkSize: 1),
            Chunks.encode(Chunks.control(.setChunkSize, 0xFF_FFFF), csid: 2, chunkSize: 1),
            Chunks.encode(m, csid: 7, chunkSize: 0xFF_FFFF),
        ])
        #expect(try Chunks.decode(input, pieces: 3) == [.message(m), .message(m)])
    }

    @Test func abortDropsThePartialMessage() throws {
        let long = RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: Chunks.payload(300))
        let short = RTMPMessage(type: .video, streamID: 1, timestamp: 80, payload: Chunks.payload(5, seed: 9))
        let first = Chunks.chunks(long, csid: 6, chunkSize: 128)[0]
        let abort = Chunks.encode(Chunks.control(.abort, 6), csid: 2)
        let restart = Chunks.encode(short, csid: 6)
        #expect(try Chunks.decode(Chunks.concat([first, abort, restart]), pieces: 1) == [.message(short)])
        // Without the Abort, a new type-0 header mid-message is refused.
        #expect(throws: RTMPProtocolError.headerChangedMidMessage(chunkStream: 6)) {
            try Chunks.decode(Chunks.concat([first, restart]))
        }
    }

    @Test func abortOfAnIdleChunkStreamIsHarmless() throws {
        let m = RTMPMessage(type: .audio, streamID: 1, timestamp: 1, payload: Chunks.payload(3))
        let input = Chunks.concat([Chunks.encode(Chunks.control(.abort, 42), csid: 2), Chunks.encode(m, csid: 4)])
        #expect(try Chunks.decode(input) == [.message(m)])
    }

    @Test func windowAcknowledgementSizeProducesAcknowledgements() throws {
        let winAck = Chunks.encode(Chunks.control(.windowAcknowledgementSize, 100), csid: 2)  // 16 bytes
        let video = RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: Chunks.payload(200))
        let chunks = Chunks.chunks(video, csid: 6, chunkSize: 128)  // 140 + 73 bytes
        let small = RTMPMessage(type: .audio, streamID: 1, timestamp: 0, payload: Chunks.payload(20))
        let audio = Chunks.encode(small, csid: 7)  // 32 bytes
        let input = Chunks.concat([winAck] + chunks + [audio])
        for pieces in [nil, 1, 50] as [Int?] {
            let out = try Chunks.decode(input, pieces: pieces)
            // 16 + 140 = 156 ≥ 100: acknowledge; 156 + 73 = 229 (73 since); 229 + 32 = 261 (105 since).
            #expect(out == [.acknowledgement(156), .message(video), .message(small), .acknowledgement(261)])
        }
    }

    @Test func noAcknowledgementsWithoutAWindow() throws {
        let m = RTMPMessage(type: .video, streamID: 1, timestamp: 0, payload: Chunks.payload(10_000))
        let out = try Chunks.decode(Chunks.encode(m, csid: 6))
        #expect(out == [.message(m)])
    }

    @Test func otherControlMessagesArePassedOn() throws {
        let ack = Chunks.control(.acknowledgement, 1234)
        var bw = Chunks.control(.setPeerBandwidth, 5_000_000)
        bw.payload.writeInteger(UInt8(2))
        var ping = ByteBuffer()
        ping.writeInteger(UInt16(6))
        ping.writeInteger(UInt32(99))
        let user = RTMPMessage(type: .userControl, payload: ping)
        let input = Chunks.concat([ack, bw, user].map { Chunks.encode($0, csid: 2) })
        #expect(try Chunks.decode(input) == [.message(ack), .message(bw), .message(user)])
    }

    @Test func shortControlPayloadsAreRefused() {
        for type in [RTMPMessageType.setChunkSize, .abort, .windowAcknowledgementSize] {
            let m = RTMPMessage(type: type, payload: ByteBuffer(bytes: [0, 1]))
            #expect(throws: RTMPProtocolError.self) { try Chunks.decode(Chunks.encode(m, csid: 2)) }
        }
    }
}
