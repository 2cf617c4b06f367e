import Logging
import NIOCore
import NIOEmbedded
import ProcessTestSupport
import RelayTestSupport
import Testing

@testable import RTMP
@testable import RelayCore

@Suite("RTMPSegmentFramer")
struct RTMPSegmentFramerTests {
    static func base(_ b: ByteBuffer) -> UnsafeRawPointer? {
        b.withVeryUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
    }

    static func decodeWire(_ wire: ByteBuffer, chunkSize: Int) throws -> [RTMPMessage] {
        let input = Chunks.concat([Chunks.setChunkSize(UInt32(chunkSize)), wire])
        return Chunks.messages(try Chunks.decode(input, pieces: 5))
    }

    /// The same message chunked by the connection's encoder into a buffer of its own.
    static func reference(_ message: MediaMessage, chunkSize: Int) -> [UInt8] {
        var wire = ByteBuffer()
        RTMPChunkEncoder(chunkSize: chunkSize).encode(
            RTMPMessage(
                typeID: message.kind.rawValue, streamID: RTMPSegmentFramer.playStreamID, timestamp: message.timestamp, payload: message.payload),
            csid: RTMPSegmentFramer.chunkStream(for: message.kind), into: &wire
        )
        return Array(wire.readableBytesView)
    }

    @Test(arguments: [UInt32(0), 1000, 0xFF_FFFE, 0xFF_FFFF, 0xDEAD_BEEF], [10, 128, 129, 300, 1000])
    func wireBytesAreTheReferenceFramersBytes(timestamp: UInt32, size: Int) throws {
        var m = TestMedia.keyframe(ts: timestamp, size: size)
        let payloadBytes = Array(m.payload.readableBytesView)
        let expected = Self.reference(m, chunkSize: 128)
        RTMPSegmentFramer(chunkSize: 128).frame(&m)
        let wire = try #require(m.wire)
        #expect(Array(wire.readableBytesView) == expected)
        #expect(Array(m.payload.readableBytesView) == payloadBytes, "the payload reads the same")
        let back = try Self.decodeWire(wire, chunkSize: 128)
        #expect(back.count == 1)
        #expect(back.first?.timestamp == timestamp)
        #expect(back.first.map { Array($0.payload.readableBytesView) } == payloadBytes)
    }

    @Test func consecutiveMessagesAreAdjacentInOneSegment() throws {
        let framer = RTMPSegmentFramer(chunkSize: 4096)
        var messages = [
            TestMedia.keyframe(ts: 40, size: 500), TestMedia.audio(ts: 50), TestMedia.interframe(ts: 80, size: 5000),
        ]
        let payloads = messages.map { Array($0.payload.readableBytesView) }
        for i in messages.indices { framer.frame(&messages[i]) }
        let wires = messages.map { $0.wire! }
        #expect(Set(wires.map { Self.base($0) }).count == 1, "one segment")
        #expect(Set(messages.map(\.wireSegment)).count == 1 && messages[0].wireSegment != 0, "and each says which")
        #expect(wires[1].readerIndex == wires[0].writerIndex)
        #expect(wires[2].readerIndex == wires[1].writerIndex)
        // One-chunk messages read their payload from the segment; the chunked one keeps its own.
        #expect(Self.base(messages[0].payload) != Self.base(TestMedia.keyframe(size: 500).payload))
        #expect(
            messages[0].payload.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }
                == wires[0].withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress! + 12) })
        #expect(messages.map { Array($0.payload.readableBytesView) } == payloads)
        // The three wires joined are what a player decodes as the three messages.
        var joined = wires[2]
        joined.moveReaderIndex(to: wires[0].readerIndex)
        let back = try Self.decodeWire(joined, chunkSize: 4096)
        #expect(back.map(\.timestamp) == [40, 50, 80])
        #expect(back.map { Array($0.payload.readableBytesView) } == payloads)
    }

    @Test func framingMoreNeverChangesBytesAlreadyHandedOut() throws {
        let framer = RTMPSegmentFramer(chunkSize: 60_000, segmentCapacity: 4096)
        var first = TestMedia.keyframe(ts: 0, size: 1000)
        framer.frame(&first)
        let before = Array(first.wire!.readableBytesView)
        var rest = (1...20).map { TestMedia.interframe(ts: UInt32($0) * 40, size: 700) }
        for i in rest.indices { framer.frame(&rest[i]) }
        #expect(Array(first.wire!.readableBytesView) == before)
        // 4 KiB segments: a message that does not fit opens the next one.
        let segments = Set(([first] + rest).map { Self.base($0.wire!) })
        #expect(segments.count > 1)
        #expect(Set(([first] + rest).map(\.wireSegment)).count == segments.count, "a segment's identity is its own")
        for m in rest { #expect(m.wire!.readableBytes == 712) }
    }

    @Test func aMessageLargerThanASegmentGetsItsOwn() throws {
        let framer = RTMPSegmentFramer(chunkSize: 60_000, segmentCapacity: 1024)
        var small = TestMedia.interframe(ts: 0, size: 100)
        var big = TestMedia.keyframe(ts: 40, size: 5000)
        var after = TestMedia.interframe(ts: 80, size: 100)
        framer.frame(&small)
        framer.frame(&big)
        framer.frame(&after)
        #expect(big.wire!.readableBytes == 5012)
        #expect(Self.base(big.wire!) != Self.base(small.wire!))
        #expect(try Self.decodeWire(big.wire!, chunkSize: 60_000).first?.payload.readableBytes == 5000)
        #expect(after.wire!.readableBytes == 112)
    }

    @Test func aPlayerGetsAQueuedBatchAsOneWrite() async throws {
        let loop = NIOAsyncTestingEventLoop()
        let registry = StreamRegistry(
            configuration: .init(publisherGrace: .milliseconds(50)), timerLoop: loop,
            makeFramer: {
                let framer = RTMPSegmentFramer(chunkSize: 60_000)
                return { framer.frame(&$0) }
            }
        )
        let publisher = registry.attachPublisher(FakePublisher(), to: StreamKey(app: "live", name: "room"))
        publisher.publish(TestMedia.videoHeader(ts: 0))
        publisher.publish(TestMedia.keyframe(ts: 40, size: 500))
        publisher.publish(TestMedia.audio(ts: 50))
        publisher.publish(TestMedia.interframe(ts: 80, size: 50))

        let player = try await ServerHarness.make(loop: loop, registry: registry)
        try await player.play("room")
        var writes: [ByteBuffer] = []
        var all = ByteBuffer()
        _ = try await waitUntil(timeout: .seconds(4), every: .milliseconds(10)) {
            while let b = try await player.channel.readOutbound(as: ByteBuffer.self) {
                writes.append(b)
                all.writeImmutableBuffer(b)
            }
            let enough = (SentMessage.parse(all, chunkSize: 60_000)?.filter { $0.typeID == 9 }.count ?? 0) >= 3
            if !enough { await loop.run() }  // the loop's turn, as long as more is awaited
            return enough
        }
        let sent = try #require(SentMessage.parse(all, chunkSize: 60_000))
        #expect(sent.filter { $0.typeID == 9 }.map(\.timestamp) == [0, 40, 80])
        #expect(sent.filter { $0.typeID == 8 }.map(\.timestamp) == [50])
        // Configuration and GOP follow each other in the stream's segment: one buffer for all four.
        let mediaWrites = writes.filter { SentMessage.parse($0, chunkSize: 60_000)?.contains { $0.typeID == 8 || $0.typeID == 9 } ?? false }
        #expect(mediaWrites.count == 1)
        #expect(mediaWrites.first.flatMap { SentMessage.parse($0, chunkSize: 60_000) }?.count == 4)

        // Media published afterwards keeps arriving, as well-formed messages.
        publisher.publish(TestMedia.interframe(ts: 120, size: 60))
        publisher.publish(TestMedia.audio(ts: 130))
        let more = try await player.collect { $0.filter { $0.typeID == 9 }.count >= 1 && $0.contains { $0.typeID == 8 } }
        #expect(more.filter { $0.typeID == 9 }.map(\.timestamp) == [120])
        #expect(more.filter { $0.typeID == 8 }.map(\.timestamp) == [130])
        _ = try? await player.channel.finish(acceptAlreadyClosed: true)
    }

    @Test(arguments: [
        (MediaMessage.Kind.video, UInt8(6)), (.audio, 7), (.metadata, 5),
    ])
    func aOneChunkMessageHasAType0HeaderOnItsChunkStream(kind: MediaMessage.Kind, csid: UInt8) throws {
        var m = TestMedia.message(kind, [0x17, 0x01], size: 100, ts: 0x12_3456)
        let payloadBytes = Array(m.payload.readableBytesView)
        RTMPSegmentFramer(chunkSize: 4096).frame(&m)
        let wire = try #require(m.wire)
        #expect(wire.readableBytes == 12 + 100)
        #expect(
            wire.getBytes(at: wire.readerIndex, length: 12) == [
                csid, 0x12, 0x34, 0x56, 0x00, 0x00, 100, kind.rawValue, 0x01, 0x00, 0x00, 0x00,
            ])
        #expect(Array(m.payload.readableBytesView) == payloadBytes, "the payload reads the same")
        #expect(Self.base(m.payload) == Self.base(wire).map { $0 + wire.readerIndex + 12 }, "the payload is a view of the segment, after the header")
        #expect(m.wireSize == 112)
    }

    @Test func anExtendedTimestampFollowsTheHeader() throws {
        var m = TestMedia.keyframe(ts: 0x0100_0000, size: 50)
        RTMPSegmentFramer(chunkSize: 128).frame(&m)
        let wire = try #require(m.wire)
        #expect(wire.readableBytes == 16 + 50)
        #expect(
            wire.getBytes(at: wire.readerIndex, length: 16) == [
                0x06, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 50, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
            ])
        #expect(try Self.decodeWire(wire, chunkSize: 128).first?.timestamp == 0x0100_0000)
    }

    @Test(arguments: [UInt32(0), 1000, 0xFF_FFFE, 0xFF_FFFF, 0xDEAD_BEEF])
    func largeMessagesAreChunkedWithType3Headers(timestamp: UInt32) throws {
        var m = TestMedia.keyframe(ts: timestamp, size: 300)
        RTMPSegmentFramer(chunkSize: 128).frame(&m)
        let wire = try #require(m.wire)
        let ext = timestamp >= 0xFF_FFFF ? 4 : 0
        #expect(wire.readableBytes == 12 + ext + 128 + (1 + ext + 128) + (1 + ext + 44))
        #expect(wire.getInteger(at: wire.readerIndex + 12 + ext + 128, as: UInt8.self) == 0xC6)
        #expect(wire.getInteger(at: wire.readerIndex + 12 + ext + 128 + 1 + ext + 128, as: UInt8.self) == 0xC6)
        if ext > 0 {
            #expect(wire.getInteger(at: wire.readerIndex + 12 + ext + 128 + 1, as: UInt32.self) == timestamp)
        }
    }

    @Test func theRegistryFramesRebasedTimestamps() throws {
        let framer = RTMPSegmentFramer(chunkSize: 4096)
        let f = RegistryFixture(framer: { framer.frame(&$0) })
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        one.publish(TestMedia.keyframe(ts: 500))
        one.end()
        let two = f.registry.attachPublisher(FakePublisher(), to: f.key)
        two.publish(TestMedia.keyframe(ts: 0))
        let wires = player.media.compactMap(\.wire)
        #expect(wires.count == 2)
        let back = try Self.decodeWire(Chunks.concat(wires), chunkSize: 4096)
        #expect(back.map(\.timestamp) == [500, 501])
    }

    @Test func chunkStreams() {
        #expect(RTMPSegmentFramer.chunkStream(for: .video) == 6)
        #expect(RTMPSegmentFramer.chunkStream(for: .audio) == 7)
        #expect(RTMPSegmentFramer.chunkStream(for: .metadata) == 5)
        #expect(RTMPSegmentFramer.playStreamID == 1)
    }

}
