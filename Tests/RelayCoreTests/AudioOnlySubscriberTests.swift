import NIOEmbedded
import RelayCore
import RelayTestSupport
import Testing

/// A subscriber that takes only a stream's audio (a WebRTC program-audio feed) does not count as
/// wanting its pictures: a transcoder encodes a rung's video only while `hasVideoSubscriber`.
@Suite("Audio-only subscribers")
struct AudioOnlySubscriberTests {
    final class Publisher: StreamPublisher {
        func evict(reason: String) {}
    }

    final class AudioOnly: StreamSubscriber, @unchecked Sendable {
        var wantsVideo: Bool { false }
        func enqueue(_ item: StreamItem, streamHasVideo: Bool) {}
    }

    @Test func aStreamPlayedOnlyForItsAudioHasNoVideoSubscriber() {
        let registry = StreamRegistry(configuration: .init(), timerLoop: EmbeddedEventLoop())
        let key = StreamKey(app: "live", name: "math_720p")
        _ = registry.attachPublisher(Publisher(), to: key)
        let audio = AudioOnly()
        let stream = registry.attachSubscriber(audio, to: key)
        #expect(stream.subscriberCount == 1 && !stream.hasVideoSubscriber, "an audio-only feed wants no pictures")
        let player = FLVViewer(schoolId: "site-b", rendition: "720p")
        registry.attachSubscriber(player, to: key)
        #expect(stream.hasVideoSubscriber, "a player wants them")
        registry.detachSubscriber(player, from: stream)
        #expect(!stream.hasVideoSubscriber && stream.subscriberCount == 1)
        registry.detachSubscriber(audio, from: stream)
    }
}
