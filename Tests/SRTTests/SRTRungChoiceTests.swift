import NIOCore
import RelayCore
import Testing

@testable import SRT

/// How libsrt's counters for one player's link move it between rungs (no sockets: counters
/// and clock are made up).
struct SRTRungChoiceTests {
    static let source = StreamKey(app: "live", name: "lesson")
    static let rungs = [
        Rendition(name: "720p", width: 1280, height: 720, videoKbps: 1800, audioKbps: 96),
        Rendition(name: "480p", width: 854, height: 480, videoKbps: 900, audioKbps: 64),
        Rendition(name: "360p", width: 640, height: 360, videoKbps: 450, audioKbps: 48),
    ]

    /// Counters of a link that sends `kbps` a second with `lossPercent` reported lost,
    /// `bufferMs` in the send buffer and `drops` in total, after `seconds`.
    struct Link {
        var sample = SRTLinkPressure.Sample(rttMs: 20, sendBufferMillis: 30, bytesSent: 0, packetsSent: 0, packetsLost: 0, packetsDropped: 0)
        mutating func advance(kbps: Int, lossPercent: Double = 0, bufferMs: Int = 30, drops: Int64 = 0) -> SRTLinkPressure.Sample {
            let bytes = Int64(kbps * 1000 / 8)
            let packets = bytes / 1316 + 1
            sample.bytesSent += bytes
            sample.packetsSent += packets
            sample.packetsLost += Int64(Double(packets) * lossPercent / 100)
            sample.packetsDropped += drops
            sample.sendBufferMillis = bufferMs
            return sample
        }
    }

    static func at(_ seconds: Int) -> NIODeadline { .uptimeNanoseconds(UInt64(1_000 + seconds) * 1_000_000_000) }

    @Test func thresholdsFollowTheLatencyBudget() {
        let configuration = SRTLinkPressure.selectorConfiguration(latencyMs: 200, base: .init())
        #expect(configuration.stepDownBacklogMillis == 200)
        #expect(configuration.calmBacklogMillis == 66)
        #expect(SRTLinkPressure.selectorConfiguration(latencyMs: 20, base: .init()).stepDownBacklogMillis == 100)
    }

    @Test func readingsNeedTwoSamplesAndTraffic() {
        var pressure = SRTLinkPressure(stepDownBacklogMillis: 200)
        var link = Link()
        #expect(pressure.read(link.advance(kbps: 1000), now: Self.at(0)) == nil)
        let reading = pressure.read(link.advance(kbps: 1000, lossPercent: 10, bufferMs: 120), now: Self.at(1))
        #expect(reading?.backlogMillis == 100, "buffer beyond one RTT")
        #expect(reading.map { abs($0.throughputKbps! - 900) <= 20 } == true, "\(String(describing: reading))")
        // Nothing sent (publisher away): no evidence.
        #expect(pressure.read(link.sample, now: Self.at(2)) == nil)
        // Packets dropped as too late: a full backlog whatever the buffer says.
        let dropped = pressure.read(link.advance(kbps: 1000, drops: 3), now: Self.at(3))
        #expect(dropped?.backlogMillis == 201)
    }

    /// A bottleneck's queue lengthens the RTT as much as the buffer: the baseline is the
    /// shortest RTT seen, not the current one.
    @Test func queueingDelayCountsAsBacklog() {
        var pressure = SRTLinkPressure(stepDownBacklogMillis: 200)
        var link = Link()
        link.sample.rttMs = 2
        _ = pressure.read(link.advance(kbps: 2000), now: Self.at(0))
        _ = pressure.read(link.advance(kbps: 2000, bufferMs: 10), now: Self.at(1))
        link.sample.rttMs = 408
        #expect(pressure.read(link.advance(kbps: 2000, lossPercent: 40, bufferMs: 428), now: Self.at(2))?.backlogMillis == 426)
    }

    @Test func startsOnTheRungThatFitsTheSiteAndStepsDownWhenTheLinkCannotCarryIt() {
        var choice = SRTRungChoice(source: Self.source, bandwidthKbps: 8000, latencyMs: 200, base: .init())
        #expect(choice.initial(rungs: Self.rungs, now: Self.at(0)) == "720p")
        var link = Link()
        var playing = "720p"
        // Healthy for 5 s: stays.
        for second in 0..<5 {
            #expect(choice.evaluate(link.advance(kbps: 2000), now: Self.at(second), rungs: Self.rungs, playing: playing) == nil)
        }
        // A 1 Mbit/s bottleneck: half the packets lost, the buffer filling, drops.
        var moved: String?
        for second in 5..<10 where moved == nil {
            moved =
                choice.evaluate(
                    link.advance(kbps: 2000, lossPercent: 50, bufferMs: 900, drops: 10), now: Self.at(second), rungs: Self.rungs, playing: playing
                )?.rendition
        }
        #expect(moved == "360p", "straight to what 1 Mbit/s carries")
        playing = moved ?? playing
        // Random 5 % loss repaired in time on the new rung: it stays there.
        for second in 10..<20 {
            #expect(
                choice.evaluate(link.advance(kbps: 550, lossPercent: 5, bufferMs: 50), now: Self.at(second), rungs: Self.rungs, playing: playing)
                    == nil)
        }
    }

    @Test func climbsBackAfterACalmPeriod() {
        var base = RenditionSelector.Configuration()
        base.stepUpAfter = .seconds(5)
        var choice = SRTRungChoice(source: Self.source, bandwidthKbps: 8000, latencyMs: 200, base: base)
        _ = choice.initial(rungs: Self.rungs, now: Self.at(0))
        var link = Link()
        var playing = "720p"
        var second = 0
        var moves: [String] = []
        while second < 40 {
            let congested = second >= 2 && second < 6
            let sample = congested ? link.advance(kbps: 2000, lossPercent: 50, bufferMs: 900, drops: 5) : link.advance(kbps: 600)
            if let move = choice.evaluate(sample, now: Self.at(second), rungs: Self.rungs, playing: playing) {
                moves.append(move.rendition)
                playing = move.rendition
            }
            second += 1
        }
        #expect(moves.first == "360p" || moves.first == "480p", "\(moves)")
        #expect(moves.last == "720p", "back on top when calm: \(moves)")
    }

    @Test func playsTheSourceUntilRungsExist() {
        var choice = SRTRungChoice(source: Self.source, bandwidthKbps: 3000, latencyMs: 200, base: .init())
        #expect(choice.initial(rungs: [], now: Self.at(0)) == "source")
        var link = Link()
        #expect(choice.evaluate(link.advance(kbps: 2000), now: Self.at(1), rungs: [], playing: "source") == nil)
        // The transcoder's rungs appear: the one that fits 3 Mbit/s.
        #expect(choice.evaluate(link.advance(kbps: 2000), now: Self.at(2), rungs: Self.rungs, playing: "source")?.rendition == "720p")
    }
}
