import NIOCore
import NIOEmbedded
import RelayCore
import RelayTestSupport
import Testing

/// A class's program audio published with the on-stage sites' mix-minus: each site's players
/// get their site's packet in the program's place, at the program's time and framed for them;
/// every other subscriber, and the video, is as without it.
@Suite("Mix-minus fan-out")
struct MixMinusFanOutTests {
    final class Publisher: StreamPublisher {
        func evict(reason: String) {}
    }

    @Test func aSitesPlayersGetItsMixMinusAndEveryoneElseTheProgram() async throws {
        let registry = StreamRegistry(configuration: .init(), timerLoop: EmbeddedEventLoop())
        let key = StreamKey(app: "live", name: "math_360p")
        let session = registry.attachPublisher(Publisher(), to: key)
        session.publish(TestMedia.videoHeader(ts: 0))
        session.publish(TestMedia.keyframe(ts: 0))
        let onStage = FLVViewer(schoolId: "site-a", rendition: "360p")
        let other = FLVViewer(schoolId: "site-b", rendition: "360p")
        let stream = registry.attachSubscriber(onStage, to: key)
        registry.attachSubscriber(other, to: key)
        _ = await onStage.next(timeout: .seconds(1))
        _ = await other.next(timeout: .seconds(1))

        let program = TestMedia.message(.audio, [0xAF, 0x01, 0x11], size: 12, ts: 100)
        let mixMinus = TestMedia.message(.audio, [0xAF, 0x01, 0x22], size: 10, ts: 7)
        session.publish(program, mixMinus: ["site-a": mixMinus, "site-c": mixMinus])
        session.publish(TestMedia.interframe(ts: 120))

        let own = try #require(await Self.media(onStage))
        let others = try #require(await Self.media(other))
        #expect(own.first?.payload.getInteger(at: 2, as: UInt8.self) == 0x22, "site-a's player gets its mix-minus")
        #expect(own.first?.timestamp == 100, "at the program's time")
        let framing = try #require(own.first?.flvFraming)
        var expected = ByteBuffer()
        FLVTag.header(for: own[0], into: &expected)
        FLVTag.trailer(for: own[0], into: &expected)
        #expect(framing == expected, "framed for its own size")
        #expect(others.first?.payload.getInteger(at: 2, as: UInt8.self) == 0x11, "another site's player gets the program")
        #expect(own.last?.isKeyframe == false && own.last?.kind == .video && others.last?.kind == .video)
        #expect(
            stream.hasSubscriber(mixMinusSite: "site-a") && !stream.hasSubscriber(mixMinusSite: "site-c"),
            "a site's mix-minus is encoded only where its players play")
        registry.detachSubscriber(onStage, from: stream)
        registry.detachSubscriber(other, from: stream)
        #expect(!stream.hasSubscriber(mixMinusSite: "site-a"))
    }

    static func media(_ viewer: FLVViewer) async -> [MediaMessage]? {
        await viewer.next(timeout: .seconds(1))?.compactMap { if case .media(let message) = $0 { message } else { nil } }
    }
}
