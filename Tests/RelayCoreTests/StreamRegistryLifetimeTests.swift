import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("StreamRegistry: publisher loss, grace and removal")
struct StreamRegistryLifetimeTests {
    @Test func publisherEndThenGraceExpiryEndsTheStream() {
        let f = RegistryFixture(grace: .milliseconds(50))
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(session)
        let player = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(player, to: f.key)

        session.end()
        #expect(player.events == [.publisherLost])
        #expect(!stream.isPublished)
        #expect(f.registry.stream(f.key) === stream)

        f.loop.advanceTime(by: .milliseconds(49))
        #expect(player.events == [.publisherLost])
        f.loop.advanceTime(by: .milliseconds(1))
        #expect(player.events == [.publisherLost, .ended(reason: "publisher did not return")])
        #expect(f.registry.stream(f.key) == nil)
        #expect(stream.subscriberCount == 0)

        session.end()  // ending twice is harmless
        #expect(player.events.count == 2)
    }

    @Test func publisherMessagesAfterEndAreIgnored() {
        let f = RegistryFixture()
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        session.end()
        session.publish(TestMedia.keyframe(ts: 0))
        #expect(player.media.isEmpty)
    }

    @Test func returningPublisherWithinGraceCancelsExpiry() {
        let f = RegistryFixture(grace: .milliseconds(50))
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(one)
        let player = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(player, to: f.key)
        one.end()
        f.loop.advanceTime(by: .milliseconds(30))
        let two = f.registry.attachPublisher(FakePublisher(), to: f.key)
        f.loop.advanceTime(by: .milliseconds(200))
        #expect(player.events == [.publisherLost, .publisherStarted])
        #expect(f.registry.stream(f.key) === stream)
        #expect(stream.isPublished)
        two.publish(TestMedia.keyframe(ts: 0))
        #expect(player.media.last?.isKeyframe == true)
    }

    @Test func playerJoiningDuringGraceGetsTheOldGOPAndStays() {
        let f = RegistryFixture(grace: .milliseconds(50))
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(one)
        one.end()
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        #expect(player.raw == ["meta@0", "vh@0", "ah@0", "kf@40", "audio@50", "inter@80"])
        f.loop.advanceTime(by: .milliseconds(50))
        #expect(player.events == [.ended(reason: "publisher did not return")])
    }

    @Test func detachOfLastSubscriberRemovesUnpublishedStream() {
        let f = RegistryFixture()
        let a = RecordingSubscriber(), b = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(a, to: f.key)
        f.registry.attachSubscriber(b, to: f.key)
        f.registry.detachSubscriber(a, from: stream)
        #expect(f.registry.stream(f.key) === stream)
        #expect(stream.subscriberCount == 1)
        f.registry.detachSubscriber(b, from: stream)
        #expect(f.registry.stream(f.key) == nil)
        #expect(f.registry.streamKeys.isEmpty)
    }

    @Test func detachKeepsPublishedStream() {
        let f = RegistryFixture()
        _ = f.registry.attachPublisher(FakePublisher(), to: f.key)
        let a = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(a, to: f.key)
        f.registry.detachSubscriber(a, from: stream)
        #expect(f.registry.stream(f.key) === stream)
    }

    @Test func detachDuringGraceKeepsStreamUntilExpiry() {
        let f = RegistryFixture(grace: .milliseconds(50))
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        let a = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(a, to: f.key)
        session.end()
        f.registry.detachSubscriber(a, from: stream)
        #expect(f.registry.stream(f.key) === stream)
        f.loop.advanceTime(by: .milliseconds(50))
        #expect(f.registry.stream(f.key) == nil)
        #expect(a.events == [.publisherLost], "a detached player is not told")
    }

    @Test func detachFromAReplacedStreamDoesNotRemoveTheNewOne() {
        let f = RegistryFixture(grace: .milliseconds(10))
        let a = RecordingSubscriber()
        let old = f.registry.attachSubscriber(a, to: f.key)
        let session = f.registry.attachPublisher(FakePublisher(), to: f.key)
        session.end()
        f.loop.advanceTime(by: .milliseconds(10))  // old stream expires
        let b = RecordingSubscriber()
        let new = f.registry.attachSubscriber(b, to: f.key)
        #expect(new !== old)
        f.registry.detachSubscriber(a, from: old)
        #expect(f.registry.stream(f.key) === new)
    }

    @Test func shutdownEndsPlayersAndEvictsPublishers() {
        let f = RegistryFixture()
        let publisher = FakePublisher()
        let session = f.registry.attachPublisher(publisher, to: f.key)
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let waiting = RecordingSubscriber()
        f.registry.attachSubscriber(waiting, to: StreamKey(app: "live", name: "nobody"))
        f.registry.shutdown(reason: "bye")
        #expect(publisher.evictions == ["bye"])
        #expect(player.events.last == .ended(reason: "bye"))
        #expect(waiting.events == [.ended(reason: "bye")])
        #expect(f.registry.streamKeys.isEmpty)
        session.publish(TestMedia.keyframe(ts: 0))
        #expect(player.media.isEmpty)
    }
}
