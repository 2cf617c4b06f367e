import Logging
import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RelayCore

/// An adaptive player that reads slowly steps down a rung, at a keyframe of the new rung, with
/// timestamps that never go back, and steps up again once it keeps up (fake clock, no sockets).
@Suite("Adaptive rung switching")
struct AdaptiveSwitchTests {
    let fixture = RegistryFixture()
    var loop: EmbeddedEventLoop { fixture.loop }
    let rungs = [Rendition.defaultLadder[1], Rendition.defaultLadder[2]]  // 480p, 360p
    /// Frame sizes tell the rungs apart in what the player got.
    static func size(_ rung: String) -> Int { rung == "480p" ? 480 : 360 }

    final class Lesson {
        var sessions: [(String, PublishSession)] = []
        var ts: UInt32 = 0
    }

    func startRungs() -> (Lesson, RenditionDirectory) {
        let directory = RenditionDirectory(ladderNames: Set(rungs.map(\.name)))
        directory.publish(rungs, for: fixture.key)
        let lesson = Lesson()
        for rung in rungs {
            let key = Rendition.streamKey(source: fixture.key, rendition: rung.name)
            let session = fixture.registry.attachPublisher(FakePublisher(), to: key)
            session.publish(TestMedia.message(.video, [0x17, 0x00, 0, 0, 0, 1, 0x64, 0, 0x1F], size: Self.size(rung.name) / 10))
            session.publish(TestMedia.audioHeader())
            lesson.sessions.append((rung.name, session))
        }
        return (lesson, directory)
    }

    /// Publishes 25 fps video (a keyframe every second, aligned on both rungs) and audio, in
    /// step with the loop's clock.
    func play(_ lesson: Lesson, seconds: Double) {
        for _ in 0..<Int(seconds * 25) {
            for (name, session) in lesson.sessions {
                let size = Self.size(name)
                session.publish(
                    lesson.ts % 1000 == 0 ? TestMedia.keyframe(ts: lesson.ts, size: size) : TestMedia.interframe(ts: lesson.ts, size: size))
                session.publish(TestMedia.audio(ts: lesson.ts + 10, size: 9))
            }
            loop.advanceTime(by: .milliseconds(40))
            lesson.ts += 40
        }
    }

    /// Checks what the player got since `from`: media timestamps never go back, and each change
    /// of rung starts with that rung's video header and then a keyframe. Returns the rungs in order.
    func checkSwitches(_ written: [StreamItem]) -> [String] {
        var rungsSeen: [String] = []
        var lastVideo: UInt32 = 0
        var lastAudio: UInt32 = 0
        var expectKeyframe = false
        for item in written {
            guard let message = item.media else { continue }
            if message.kind == .video, message.isSequenceHeader {
                let rung = message.size == 48 ? "480p" : "360p"
                if rungsSeen.last != rung { rungsSeen.append(rung) }
                expectKeyframe = true
                continue
            }
            if message.kind == .audio, !message.isSequenceHeader {
                #expect(message.timestamp > lastAudio || lastAudio == 0, "audio went back to \(message.timestamp) after \(lastAudio)")
                lastAudio = message.timestamp
            }
            guard message.kind == .video else { continue }
            let rung = message.size == 480 ? "480p" : "360p"
            #expect(rung == rungsSeen.last, "a \(rung) frame at \(message.timestamp) before its header")
            if expectKeyframe {
                #expect(message.isKeyframe, "a rung starts at a keyframe, not at \(message.timestamp)")
                expectKeyframe = false
            }
            #expect(message.timestamp >= lastVideo, "video went back to \(message.timestamp) after \(lastVideo)")
            lastVideo = message.timestamp
        }
        return rungsSeen
    }

    @Test func slowReaderStepsDownAtAKeyframeAndStepsUpAgain() {
        let (lesson, directory) = startRungs()
        let sink = FakeSink()
        let outlet = PlayerOutlet(sink: sink, eventLoop: loop, scheduler: FlushScheduler(eventLoop: loop, interval: .milliseconds(10)))
        let playback = AdaptivePlayback(
            source: fixture.key, outlet: outlet, registry: fixture.registry, directory: directory, bandwidthKbps: 2_000,
            logger: Logger(label: "test")
        )
        playback.start()
        #expect(playback.rendition == "480p", "964 kbit/s × 1.2 fits 2000, 720p is not produced")
        play(lesson, seconds: 2)

        sink.isWritable = false  // the site's link chokes
        play(lesson, seconds: 6)
        #expect(playback.rendition == "360p")
        #expect(directory.counters.switchesDown == 1)
        let keyFrom = fixture.registry.stream(Rendition.streamKey(source: fixture.key, rendition: "480p"))
        #expect(keyFrom?.subscriberCount == 0, "the old rung's subscription is dropped")

        sink.isWritable = true
        outlet.flushNow()
        play(lesson, seconds: 10)
        #expect(playback.rendition == "360p", "not up before 15 s of calm")
        play(lesson, seconds: 10)
        #expect(playback.rendition == "480p")
        #expect(directory.counters.switchesUp == 1)
        play(lesson, seconds: 2)

        #expect(checkSwitches(sink.written) == ["480p", "360p", "480p"])
        playback.stop()
        loop.run()
        for rung in rungs {
            #expect(fixture.registry.stream(Rendition.streamKey(source: fixture.key, rendition: rung.name))?.subscriberCount == 0)
        }
    }

    @Test func aPlayerWithoutRungsPlaysTheSource() {
        let directory = RenditionDirectory(ladderNames: ["480p"])
        let session = fixture.registry.attachPublisher(FakePublisher(), to: fixture.key)
        RegistryFixture.publishStart(session)
        let sink = FakeSink()
        let outlet = PlayerOutlet(sink: sink, eventLoop: loop, scheduler: FlushScheduler(eventLoop: loop, interval: .zero))
        let playback = AdaptivePlayback(
            source: fixture.key, outlet: outlet, registry: fixture.registry, directory: directory, bandwidthKbps: 1_000,
            logger: Logger(label: "test")
        )
        playback.start()
        loop.run()
        #expect(playback.rendition == "source")
        #expect(sink.written.map(\.label) == ["meta@0", "vh@0", "ah@0", "kf@40", "audio@50", "inter@80"])
        let viewers = fixture.registry.stream(fixture.key)?.snapshot().viewers ?? []
        #expect(viewers.map(\.rendition) == ["source"])
        playback.stop()
    }
}
