import NIOCore
import RelayCore
import Testing

/// The rung choice for one adaptive player, on a fake clock.
@Suite("RenditionSelector")
struct RenditionSelectorTests {
    let ladder = Rendition.defaultLadder  // 720p 1896, 480p 964, 360p 498 kbit/s in total
    var clock = NIODeadline.uptimeNanoseconds(1_000_000_000)

    mutating func tick(_ seconds: Int64) -> NIODeadline {
        clock = clock + .seconds(seconds)
        return clock
    }

    @Test func startsOnTheHighestRungThatFitsTheSiteWithHeadroom() {
        func start(_ kbps: Int?) -> String {
            RenditionSelector(rungs: ladder, bandwidthKbps: kbps, now: clock).current.name
        }
        #expect(start(10_000) == "720p")
        #expect(start(2_276) == "720p")  // 1896 × 1.2 = 2275.2
        #expect(start(2_275) == "480p")
        #expect(start(1_000) == "360p")  // 964 × 1.2 = 1156.8 does not fit
        #expect(start(1_157) == "480p")
        #expect(start(300) == "360p", "the lowest rung when nothing fits")
        #expect(start(nil) == "720p", "an unknown link starts at the top")
    }

    @Test mutating func stepsDownOnBacklogToWhatTheThroughputCarries() {
        var selector = RenditionSelector(rungs: ladder, bandwidthKbps: 8_000, now: clock)
        #expect(selector.update(now: tick(1), backlogMillis: 200, throughputKbps: 1_900) == nil)
        #expect(selector.update(now: tick(1), backlogMillis: 1_500, throughputKbps: 900) == nil, "at the threshold: stay")
        // Over the threshold after the settle time: down to what ~700 kbit/s carries (360p), skipping 480p.
        #expect(selector.update(now: tick(2), backlogMillis: 1_600, throughputKbps: 700)?.name == "360p")
        #expect(selector.current.name == "360p")
        #expect(selector.update(now: tick(1), backlogMillis: 3_000, throughputKbps: 400) == nil, "nothing lower")
    }

    @Test mutating func stepsDownOneRungWhenThroughputIsUnknownAndWaitsToSettle() {
        var selector = RenditionSelector(rungs: ladder, bandwidthKbps: 8_000, now: clock)
        #expect(selector.update(now: tick(1), backlogMillis: 2_000, throughputKbps: nil) == nil, "settling after the start")
        #expect(selector.update(now: tick(3), backlogMillis: 2_000, throughputKbps: nil)?.name == "480p")
        #expect(selector.update(now: tick(1), backlogMillis: 2_000, throughputKbps: nil) == nil, "settling after the switch")
        #expect(selector.update(now: tick(3), backlogMillis: 2_000, throughputKbps: nil)?.name == "360p")
    }

    @Test mutating func stepsUpAfterAStableCalmPeriodOnlyWithinTheSitesBandwidth() {
        var selector = RenditionSelector(rungs: ladder, bandwidthKbps: 1_500, now: clock)
        #expect(selector.current.name == "480p")
        #expect(selector.update(now: tick(4), backlogMillis: 1_700, throughputKbps: 500)?.name == "360p")
        for _ in 0..<15 {
            #expect(selector.update(now: tick(1), backlogMillis: 100, throughputKbps: 500) == nil)
        }
        // 15 s calm: back to 480p; never 720p, whose 1896 × 1.2 exceeds the site's 1500.
        #expect(selector.update(now: tick(1), backlogMillis: 100, throughputKbps: 500)?.name == "480p")
        for _ in 0..<40 {
            #expect(selector.update(now: tick(1), backlogMillis: 0, throughputKbps: 1_000) == nil)
        }
    }

    @Test mutating func aBacklogInterruptsTheCalmPeriod() {
        var selector = RenditionSelector(rungs: ladder, bandwidthKbps: 8_000, now: clock)
        #expect(selector.update(now: tick(4), backlogMillis: 1_700, throughputKbps: 1_200)?.name == "480p")
        for _ in 0..<10 { _ = selector.update(now: tick(1), backlogMillis: 100, throughputKbps: 1_000) }
        #expect(selector.update(now: tick(1), backlogMillis: 900, throughputKbps: 1_000) == nil, "not calm, not over")
        for _ in 0..<15 {
            #expect(selector.update(now: tick(1), backlogMillis: 100, throughputKbps: 1_000) == nil)
        }
        #expect(selector.update(now: tick(1), backlogMillis: 100, throughputKbps: 1_000)?.name == "720p")
    }

    @Test mutating func replacingTheRungsKeepsTheCurrentOne() {
        var selector = RenditionSelector(rungs: ladder, bandwidthKbps: 1_200, now: clock)
        #expect(selector.current.name == "480p")
        selector.replaceRungs(Array(ladder.reversed()), now: tick(1))
        #expect(selector.current.name == "480p")
        selector.replaceRungs([ladder[2]], now: tick(1))
        #expect(selector.current.name == "360p")
    }
}
