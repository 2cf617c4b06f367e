import NIOCore
import NIOEmbedded
import RelayCore
import RelayTestSupport
import Testing

@Suite("HTTP-FLV framing, once per stream")
struct FLVFramingTests {
    final class Publisher: StreamPublisher {
        func evict(reason: String) {}
    }

    @Test("once an FLV player subscribed, every message carries its tag header and trailer, one buffer for all players")
    func framedOncePerStream() async throws {
        let registry = StreamRegistry(configuration: .init(), timerLoop: EmbeddedEventLoop())
        let key = StreamKey(app: "live", name: "flv")
        let session = registry.attachPublisher(Publisher(), to: key)
        session.publish(TestMedia.videoHeader(ts: 0))
        session.publish(TestMedia.keyframe(ts: 40))  // cached before any FLV player: not framed
        let first = FLVViewer(schoolId: "a", rendition: "source")
        let second = FLVViewer(schoolId: "b", rendition: "source")
        let stream = registry.attachSubscriber(first, to: key)
        registry.attachSubscriber(second, to: key)
        session.publish(TestMedia.interframe(ts: 80, size: 300))

        var received: [[MediaMessage]] = []
        for viewer in [first, second] {
            let items = await viewer.next(timeout: .seconds(1)) ?? []
            received.append(items.compactMap { if case .media(let message) = $0 { message } else { nil } })
        }
        let cached = try #require(received[0].first { $0.isKeyframe })
        #expect(cached.flvFraming == nil, "the GOP cached before the first FLV player is framed by the player")
        let live = try #require(received[0].last)
        let framing = try #require(live.flvFraming)
        var expected = ByteBuffer()
        FLVTag.header(for: live, into: &expected)
        FLVTag.trailer(for: live, into: &expected)
        #expect(framing == expected)
        #expect(framing.readableBytes == 15)
        let other = try #require(received[1].last?.flvFraming)
        let sameStorage = framing.withUnsafeReadableBytes { a in other.withUnsafeReadableBytes { b in a.baseAddress == b.baseAddress } }
        #expect(sameStorage, "both players share the one framing buffer")
        registry.detachSubscriber(first, from: stream)
        registry.detachSubscriber(second, from: stream)
    }
}
