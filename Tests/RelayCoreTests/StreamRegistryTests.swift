import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("StreamRegistry: players joining")
struct StreamRegistryTests {
    @Test func playerAfterPublisherGetsConfigThenGOP() throws {
        let f = RegistryFixture()
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        session.publish(TestMedia.metadata(ts: 0))
        session.publish(TestMedia.videoHeader(ts: 0))
        session.publish(TestMedia.audioHeader(ts: 0))
        session.publish(TestMedia.interframe(ts: 0))  // before any keyframe: not cached
        session.publish(TestMedia.audio(ts: 10))
        session.publish(TestMedia.keyframe(ts: 40))
        session.publish(TestMedia.audio(ts: 50))
        session.publish(TestMedia.interframe(ts: 80))

        let player = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(player, to: f.key)
        #expect(stream === f.registry.stream(f.key))
        #expect(player.raw == ["meta@0", "vh@0", "ah@0", "kf@40", "audio@50", "inter@80"])
        #expect(player.takeAccepted() == ["meta@0", "vh@0", "ah@0", "kf@40", "audio@50", "inter@80"])

        session.publish(TestMedia.interframe(ts: 120))
        #expect(player.takeAccepted() == ["inter@120"])
        #expect(stream.subscriberCount == 1)
        #expect(stream.isPublished)
        #expect(stream.inputCounters.messages == 9)
    }

    @Test func newKeyframeRestartsTheCachedGOP() {
        let f = RegistryFixture()
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(session)
        session.publish(TestMedia.keyframe(ts: 2000))
        session.publish(TestMedia.interframe(ts: 2040))
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        #expect(player.raw == ["meta@0", "vh@0", "ah@0", "kf@2000", "inter@2040"])
    }

    @Test func latestSequenceHeadersWin() {
        let f = RegistryFixture()
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(session)
        session.publish(TestMedia.videoHeader(ts: 500))
        let player = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(player, to: f.key)
        #expect(player.raw.prefix(3) == ["meta@0", "vh@500", "ah@0"])
        #expect(stream.sequenceHeaders.video?.timestamp == 500)
        #expect(stream.sequenceHeaders.audio?.timestamp == 0)
    }

    @Test func playerBeforePublisherWaitsThenStartsAtFirstKeyframe() {
        let f = RegistryFixture()
        let player = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(player, to: f.key)
        #expect(!stream.isPublished)
        #expect(player.raw.isEmpty)

        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        #expect(stream === f.registry.stream(f.key), "the publisher joins the players' stream")
        session.publish(TestMedia.metadata(ts: 0))
        session.publish(TestMedia.videoHeader(ts: 0))
        session.publish(TestMedia.audioHeader(ts: 0))
        session.publish(TestMedia.interframe(ts: 0))
        session.publish(TestMedia.audio(ts: 10))
        session.publish(TestMedia.keyframe(ts: 40))
        session.publish(TestMedia.audio(ts: 50))
        session.publish(TestMedia.interframe(ts: 80))
        #expect(player.events == [.publisherStarted])
        #expect(
            player.takeAccepted() == [
                "event:publisherStarted", "meta@0", "vh@0", "ah@0", "kf@40", "audio@50", "inter@80",
            ])
    }

    @Test func everySubscriberGetsEachMessage() {
        let f = RegistryFixture()
        let players = (0..<5).map { _ in RecordingSubscriber() }
        for p in players { f.registry.attachSubscriber(p, to: f.key) }
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(session)
        for p in players {
            #expect(p.raw == ["event:publisherStarted", "meta@0", "vh@0", "ah@0", "kf@40", "audio@50", "inter@80"])
        }
    }

    @Test func framerRunsOnceBeforeFanOut() {
        let f = RegistryFixture(framer: { message in
            var wire = ByteBuffer(bytes: [0xEE])
            var copy = message.payload
            wire.writeBuffer(&copy)
            message.wire = wire
        })
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        let a = RecordingSubscriber(), b = RecordingSubscriber()
        f.registry.attachSubscriber(a, to: f.key)
        f.registry.attachSubscriber(b, to: f.key)
        session.publish(TestMedia.keyframe(ts: 0, size: 10))
        let wa = a.media.first?.wire, wb = b.media.first?.wire
        #expect(wa?.readableBytes == 11)
        #expect(wa == wb)
        #expect(a.media.first?.wireSize == 11)
    }

    @Test func streamsAreSeparateByKey() {
        let f = RegistryFixture()
        let other = StreamKey(app: "live", name: "other")
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: other)
        RegistryFixture.publishStart(session)
        #expect(player.raw.isEmpty)
        #expect(Set(f.registry.streamKeys) == [f.key, other])
    }
}
