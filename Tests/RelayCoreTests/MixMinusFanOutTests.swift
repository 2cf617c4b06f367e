import NIOCore
import NIOEmbedded
import RelayCore
import RelayTestSupport
import Testing

/// A class's program audio published with the on-stage sites' mix-minus: each site's players
/// get their site's packet in the program's place, at the program's time and framed for them;
/// every other subscriber, and the video, is as without it. A player of an on-stage site never
/// gets the program's audio (its own voice): nothing while its site's packet is not there yet,
/// and joining, the cached GOP's audio as its site's players got it.
@Suite("Mix-minus fan-out")
struct MixMinusFanOutTests {
    final class Publisher: StreamPublisher {
        func evict(reason: String) {}
    }

    @Test func aSitesPlayersGetItsMixMinusAndEveryoneElseTheProgram() async throws {
        let (registry, key, session) = Self.rung()
        let onStage = FLVViewer(schoolId: "site-a", rendition: "360p")
        let other = FLVViewer(schoolId: "site-b", rendition: "360p")
        let stream = registry.attachSubscriber(onStage, to: key)
        registry.attachSubscriber(other, to: key)
        _ = await onStage.next(timeout: .seconds(1))
        _ = await other.next(timeout: .seconds(1))

        let program = TestMedia.message(.audio, [0xAF, 0x01, 0x11], size: 12, ts: 100)
        let mixMinus = TestMedia.message(.audio, [0xAF, 0x01, 0x22], size: 10, ts: 7)
        session.publish(program, mixMinus: ["site-a": mixMinus, "site-c": mixMinus], stage: ["site-a", "site-c"])
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

    @Test func anOnStageSitesPlayerGetsNoProgramAudioWhileItsMixMinusIsNotThere() async throws {
        let (registry, key, session) = Self.rung()
        let onStage = FLVViewer(schoolId: "site-a", rendition: "360p")
        let other = FLVViewer(schoolId: "site-b", rendition: "360p")
        let stream = registry.attachSubscriber(onStage, to: key)
        registry.attachSubscriber(other, to: key)
        _ = await Self.drain(onStage)
        _ = await Self.drain(other)

        // site-a's encoder has just opened: no packet of its own in this frame.
        session.publish(TestMedia.message(.audio, [0xAF, 0x01, 0x11], size: 12, ts: 100), mixMinus: [:], stage: ["site-a"])
        session.publish(TestMedia.interframe(ts: 120))
        #expect(await Self.drain(onStage).map(\.kind) == [.video], "the program's audio reached the on-stage site's player")
        #expect(await Self.drain(other).map(\.kind) == [.audio, .video])

        // The stage emptied: everyone gets the program again.
        session.publish(TestMedia.message(.audio, [0xAF, 0x01, 0x11], size: 12, ts: 140))
        #expect(await Self.drain(onStage).map(\.kind) == [.audio])
        registry.detachSubscriber(onStage, from: stream)
        registry.detachSubscriber(other, from: stream)
    }

    @Test func aJoiningPlayerOfAnOnStageSiteIsReplayedItsSitesAudioNotTheProgram() async throws {
        let (registry, key, session) = Self.rung()
        let program = TestMedia.message(.audio, [0xAF, 0x01, 0x11], size: 12, ts: 100)
        session.publish(program, mixMinus: ["site-a": TestMedia.message(.audio, [0xAF, 0x01, 0x22], size: 10, ts: 0)], stage: ["site-a"])
        session.publish(TestMedia.message(.audio, [0xAF, 0x01, 0x11], size: 12, ts: 120), mixMinus: [:], stage: ["site-a"])
        session.publish(TestMedia.interframe(ts: 140))

        let joining = FLVViewer(schoolId: "site-a", rendition: "360p")
        let other = FLVViewer(schoolId: "site-b", rendition: "360p")
        let stream = registry.attachSubscriber(joining, to: key)
        registry.attachSubscriber(other, to: key)
        let replayed = await Self.drain(joining).filter { !$0.isSequenceHeader }
        #expect(replayed.map(\.kind) == [.video, .audio, .video], "the GOP with its site's one packet: \(replayed.map(\.timestamp))")
        #expect(replayed.first { $0.kind == .audio }?.payload.getInteger(at: 2, as: UInt8.self) == 0x22)
        #expect(replayed.first { $0.kind == .audio }?.timestamp == 100)
        let otherReplayed = await Self.drain(other).filter { !$0.isSequenceHeader }
        #expect(otherReplayed.filter { $0.kind == .audio }.map(\.timestamp) == [100, 120], "another site's player gets the program")

        // A new GOP: the cached sites' packets go with the old one.
        session.publish(TestMedia.keyframe(ts: 160))
        let later = FLVViewer(schoolId: "site-a", rendition: "360p")
        registry.attachSubscriber(later, to: key)
        #expect(await Self.drain(later).filter { !$0.isSequenceHeader }.map(\.kind) == [.video])
        for viewer in [joining, other, later] { registry.detachSubscriber(viewer, from: stream) }
    }

    /// Every message the viewer has been handed so far (until it has nothing for 200 ms).
    static func drain(_ viewer: FLVViewer) async -> [MediaMessage] {
        var all: [MediaMessage] = []
        while let batch = await viewer.next(timeout: .milliseconds(200)), !batch.isEmpty {
            all += batch.compactMap { if case .media(let message) = $0 { message } else { nil } }
        }
        return all
    }

    /// A rung `math_360p` with its video header and a keyframe published.
    static func rung() -> (StreamRegistry, StreamKey, PublishSession) {
        let registry = StreamRegistry(configuration: .init(), timerLoop: EmbeddedEventLoop())
        let key = StreamKey(app: "live", name: "math_360p")
        let session = registry.attachPublisher(Publisher(), to: key)
        session.publish(TestMedia.videoHeader(ts: 0))
        session.publish(TestMedia.keyframe(ts: 0))
        return (registry, key, session)
    }

    static func media(_ viewer: FLVViewer) async -> [MediaMessage]? {
        await viewer.next(timeout: .seconds(1))?.compactMap { if case .media(let message) = $0 { message } else { nil } }
    }
}
