import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("StreamRegistry: takeover and timestamps")
struct StreamRegistryTakeoverTests {
    @Test func takeoverEvictsOldPublisherAndIgnoresItsMessages() {
        let f = RegistryFixture()
        let first = FakePublisher(), second = FakePublisher()
        let old = f.registry.attachPublisher(first, to: f.key)
        RegistryFixture.publishStart(old)
        let player = RecordingSubscriber()
        let stream = f.registry.attachSubscriber(player, to: f.key)
        _ = player.takeAccepted()

        let new = f.registry.attachPublisher(second, to: f.key)
        #expect(first.evictions.count == 1)
        #expect(first.evictions.first?.contains("took over") == true)
        #expect(second.evictions.isEmpty)
        #expect(player.events == [.publisherStarted])

        let before = stream.inputCounters
        old.publish(TestMedia.keyframe(ts: 5000))
        old.publish(TestMedia.interframe(ts: 5040))
        #expect(stream.inputCounters.messages == before.messages, "the old session is ignored")
        old.end()
        #expect(stream.isPublished, "the old session cannot end the new one")
        #expect(player.events == [.publisherStarted])

        // The old publisher's configuration is gone: a new player waits for the new one's.
        let late = RecordingSubscriber()
        f.registry.attachSubscriber(late, to: f.key)
        #expect(late.raw.isEmpty)

        RegistryFixture.publishStart(new)
        #expect(player.takeAccepted().first == "event:publisherStarted")
        #expect(late.raw.count == 6)
    }

    @Test func sameObjectReattachingIsNotEvicted() {
        let f = RegistryFixture()
        let publisher = FakePublisher()
        _ = f.registry.attachPublisher(publisher, to: f.key)
        _ = f.registry.attachPublisher(publisher, to: f.key)
        #expect(publisher.evictions.isEmpty)
    }

    @Test func timestampsStayMonotonicAcrossAReturningPublisher() {
        let f = RegistryFixture()
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(one, base: 1000)  // kf 1040, audio 1050, inter 1080
        one.end()

        let two = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(two, base: 0)  // its clock restarts at 0
        two.publish(TestMedia.interframe(ts: 120))

        let times = player.media.filter { $0.kind != .metadata }.map(\.timestamp)
        #expect(times == [1000, 1000, 1040, 1050, 1080, 1081, 1081, 1121, 1131, 1161, 1201])
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func takeoverByPublisherWithLargerClockAlsoRebases() {
        let f = RegistryFixture()
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        one.publish(TestMedia.keyframe(ts: 100))
        let two = f.registry.attachPublisher(FakePublisher(), to: f.key)
        two.publish(TestMedia.keyframe(ts: 90_000))
        two.publish(TestMedia.interframe(ts: 90_040))
        #expect(player.media.map(\.timestamp) == [100, 101, 141])
    }

    @Test func firstPublisherKeepsItsTimestamps() {
        let f = RegistryFixture()
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        one.publish(TestMedia.keyframe(ts: 7777))
        #expect(player.media.map(\.timestamp) == [7777])
    }

    /// Regression: `hasVideo` is never reset when a publisher (re)attaches, so after a video
    /// publisher, an audio-only one is gated on keyframes that never come.
    @Test func audioOnlyPublisherAfterAVideoPublisherReachesPlayers() {
        let f = RegistryFixture()
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let video = f.registry.attachPublisher(FakePublisher(), to: f.key)
        RegistryFixture.publishStart(video)
        _ = player.takeAccepted()
        let audioOnly = f.registry.attachPublisher(FakePublisher(), to: f.key)
        audioOnly.publish(TestMedia.audioHeader(ts: 0))
        audioOnly.publish(TestMedia.audio(ts: 0))
        audioOnly.publish(TestMedia.audio(ts: 23))
        #expect(player.takeAccepted().filter { $0.hasPrefix("audio@") }.count == 2)
    }

    /// Regression (edge case): the rebase offset is taken from the new publisher's first message
    /// whatever its kind; when a later message has a smaller timestamp it goes backwards.
    @Test func rebaseFromALaterFirstTimestampStaysMonotonic() {
        let f = RegistryFixture()
        let player = RecordingSubscriber()
        f.registry.attachSubscriber(player, to: f.key)
        let one = f.registry.attachPublisher(FakePublisher(), to: f.key)
        one.publish(TestMedia.keyframe(ts: 1000))
        let two = f.registry.attachPublisher(FakePublisher(), to: f.key)
        two.publish(TestMedia.audio(ts: 40))  // audio first, a little ahead of the video
        two.publish(TestMedia.keyframe(ts: 0))
        let times = player.media.map(\.timestamp)
        #expect(times.first == 1000)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "\(times)")
    }
}
