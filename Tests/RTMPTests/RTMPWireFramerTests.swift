import RelayTestSupport
import NIOCore
import Testing
@testable import RTMP
@testable import RelayCore

@Suite("RTMPWireFramer")
struct RTMPWireFramerTests {
    static func base(_ b: ByteBuffer) -> UnsafeRawPointer? {
        b.withVeryUnsafeBytes { UnsafeRawPointer($0.baseAddress) }
    }

    static func decodeWire(_ wire: ByteBuffer, chunkSize: Int) throws -> [RTMPMessage] {
        let input = Chunks.concat([Chunks.setChunkSize(UInt32(chunkSize)), wire])
        return Chunks.messages(try Chunks.decode(input, pieces: 5))
    }

    @Test(arguments: [
        (MediaMessage.Kind.video, UInt8(6)), (.audio, 7), (.metadata, 5),
    ])
    func oneChunkMessageIsFramedInPlace(kind: MediaMessage.Kind, csid: UInt8) throws {
        var m = TestMedia.message(kind, [0x17, 0x01], size: 100, ts: 0x12_3456)
        let payloadBytes = Array(m.payload.readableBytesView)
        RTMPWireFramer(chunkSize: 4096).frame(&m)
        let wire = try #require(m.wire)
        #expect(wire.readableBytes == 12 + 100)
        #expect(wire.getBytes(at: wire.readerIndex, length: 12) == [
            csid, 0x12, 0x34, 0x56, 0x00, 0x00, 100, kind.rawValue, 0x01, 0x00, 0x00, 0x00,
        ])
        #expect(wire.getBytes(at: wire.readerIndex + 12, length: 100) == payloadBytes)
        #expect(Self.base(wire) == Self.base(m.payload), "wire shares the payload's storage")
        #expect(wire.readerIndex == m.payload.readerIndex - 12)
        #expect(Array(m.payload.readableBytesView) == payloadBytes, "the payload is unchanged")
        #expect(m.wireSize == 112)

        let back = try Self.decodeWire(wire, chunkSize: 4096)
        #expect(back.count == 1)
        #expect(back.first?.typeID == kind.rawValue)
        #expect(back.first?.streamID == 1)
        #expect(back.first?.timestamp == 0x12_3456)
        #expect(back.first.map { Array($0.payload.readableBytesView) } == payloadBytes)
    }

    @Test func extendedTimestampInPlaceUsesAllTheHeadroom() throws {
        var m = TestMedia.keyframe(ts: 0x0100_0000, size: 50)
        RTMPWireFramer(chunkSize: 128).frame(&m)
        let wire = try #require(m.wire)
        #expect(wire.readableBytes == 16 + 50)
        #expect(wire.readerIndex == 0)
        #expect(wire.getBytes(at: 0, length: 16) == [
            0x06, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 50, 0x09, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        ])
        #expect(Self.base(wire) == Self.base(m.payload))
        #expect(try Self.decodeWire(wire, chunkSize: 128).first?.timestamp == 0x0100_0000)
    }

    @Test func exactlyOneChunkIsInPlaceOneMoreIsNot() throws {
        var fits = TestMedia.keyframe(ts: 0, size: 128)
        var over = TestMedia.keyframe(ts: 0, size: 129)
        let framer = RTMPWireFramer(chunkSize: 128)
        framer.frame(&fits)
        framer.frame(&over)
        #expect(Self.base(fits.wire!) == Self.base(fits.payload))
        #expect(Self.base(over.wire!) != Self.base(over.payload))
        #expect(over.wire?.readableBytes == 12 + 128 + 1 + 1)
    }

    @Test(arguments: [UInt32(0), 1000, 0xFF_FFFE, 0xFF_FFFF, 0xDEAD_BEEF])
    func largeMessagesAreChunkedWithType3Headers(timestamp: UInt32) throws {
        var m = TestMedia.keyframe(ts: timestamp, size: 300)
        let payloadBytes = Array(m.payload.readableBytesView)
        RTMPWireFramer(chunkSize: 128).frame(&m)
        let wire = try #require(m.wire)
        let ext = timestamp >= 0xFF_FFFF ? 4 : 0
        #expect(wire.readableBytes == 12 + ext + 128 + (1 + ext + 128) + (1 + ext + 44))
        #expect(wire.getInteger(at: wire.readerIndex + 12 + ext + 128, as: UInt8.self) == 0xC6)
        #expect(wire.getInteger(at: wire.readerIndex + 12 + ext + 128 + 1 + ext + 128, as: UInt8.self) == 0xC6)
        if ext > 0 {
            #expect(wire.getInteger(at: wire.readerIndex + 12 + ext + 128 + 1, as: UInt32.self) == timestamp)
        }
        let back = try Self.decodeWire(wire, chunkSize: 128)
        #expect(back.count == 1)
        #expect(back.first?.timestamp == timestamp)
        #expect(back.first?.streamID == 1)
        #expect(back.first.map { Array($0.payload.readableBytesView) } == payloadBytes)
    }

    @Test func payloadWithoutHeadroomIsCopied() throws {
        var m = MediaMessage(kind: .audio, timestamp: 77, payload: ByteBuffer(bytes: [0xAF, 0x01, 1, 2, 3]))
        RTMPWireFramer(chunkSize: 128).frame(&m)
        let wire = try #require(m.wire)
        #expect(wire.readableBytes == 17)
        #expect(wire.getBytes(at: wire.readerIndex, length: 12) == [0x07, 0, 0, 77, 0, 0, 5, 8, 1, 0, 0, 0])
        #expect(Self.base(wire) != Self.base(m.payload))
        let back = try Self.decodeWire(wire, chunkSize: 128)
        #expect(back.first.map { Array($0.payload.readableBytesView) } == [0xAF, 0x01, 1, 2, 3])
    }

    @Test func decodedPublisherPayloadCanBeFramedInPlace() throws {
        // The chunk decoder leaves headroom in media payloads, so the relay's usual path is zero-copy.
        let sent = RTMPMessage(type: .video, streamID: 1, timestamp: 40, payload: Chunks.payload(90))
        let decoded = try #require(Chunks.messages(try Chunks.decode(Chunks.encode(sent, csid: 6))).first)
        var m = MediaMessage(kind: .video, timestamp: decoded.timestamp, payload: decoded.payload)
        RTMPWireFramer(chunkSize: 4096).frame(&m)
        #expect(Self.base(m.wire!) == Self.base(m.payload))
        #expect(try Self.decodeWire(m.wire!, chunkSize: 4096) == [sent])
    }

    @Test func registryFramesRebasedTimestamps() throws {
        let f = RegistryFixture(framer: { RTMPWireFramer(chunkSize: 4096).frame(&$0) })
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
        #expect(RTMPWireFramer.chunkStream(for: .video) == 6)
        #expect(RTMPWireFramer.chunkStream(for: .audio) == 7)
        #expect(RTMPWireFramer.chunkStream(for: .metadata) == 5)
        #expect(RTMPWireFramer.playStreamID == 1)
    }
}
