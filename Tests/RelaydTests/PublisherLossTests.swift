import Foundation
import ProcessTestSupport
import Testing

/// A publisher that drops and returns keeps its players; a second publisher takes over.
@Suite(.serialized)
struct PublisherLossTests {
    @Test func playersSurviveAPublisherRestartWithinTheGracePeriod() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(graceSeconds: 4))
        let url = relay.url("restart")
        let dir = try makeTemporaryDirectory("restart")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try MediaTools.record(url, to: dir + "/player.flv")
        let first = try MediaTools.publish(to: url, seconds: 30)
        try await relay.waitForStreamsLive()
        try await Task.sleep(for: .seconds(3))  // not a condition: the first publisher's 3 s are part of what the player must get
        first.signal(SIGKILL)
        await first.wait(timeout: .seconds(5))
        try await Task.sleep(for: .seconds(2))  // not a condition: the publisher stays away 2 s (within the 4 s grace)
        #expect(player.isRunning, "the player must stay connected while the publisher is away: \(player.stderr)")
        let second = try MediaTools.publish(to: url, seconds: 3)
        await second.wait(timeout: .seconds(15))
        #expect(await player.wait(timeout: .seconds(20)) != nil)

        let video = try await MediaTools.packets(of: dir + "/player.flv").filter(\.isVideo)
        #expect(video.first?.isKey == true)
        #expect(zip(video, video.dropFirst()).allSatisfy { $0.dtsMillis < $1.dtsMillis }, "timestamps stay monotonic across the restart")
        // About 3 s from the first publisher and 3 s from the second, on one connection.
        #expect(video.count >= 120, "got \(video.count) frames")
        let keyframes = video.filter(\.isKey).count
        #expect(keyframes >= 5)
        #expect(relay.child.stderr.contains("publisher left; waiting for it"))
        #expect(await relay.stop() == 0)
    }

    @Test func aSecondPublisherTakesOverAndPlayersContinue() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(graceSeconds: 1))
        let url = relay.url("takeover")
        let dir = try makeTemporaryDirectory("takeover")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try MediaTools.record(url, to: dir + "/player.flv")
        let first = try MediaTools.publish(to: url, seconds: 60)
        try await relay.waitForStreamsLive()
        try await Task.sleep(for: .seconds(3))  // not a condition: the first publisher's 3 s of the span the player must see
        let second = try MediaTools.publish(to: url, seconds: 4)
        // The first (now a ghost) is closed by the relay.
        let firstExit = await first.wait(timeout: .seconds(10))
        #expect(firstExit != nil, "the old publisher must be disconnected")
        #expect(await second.wait(timeout: .seconds(15)) == 0, "second publisher: \(second.stderr)")
        #expect(await player.wait(timeout: .seconds(20)) != nil)
        let video = try await MediaTools.packets(of: dir + "/player.flv").filter(\.isVideo)
        let span = (video.last?.dtsMillis ?? 0) - (video.first?.dtsMillis ?? 0)
        #expect(span >= 6000, "the player saw both publishers (\(span) ms)")
        #expect(zip(video, video.dropFirst()).allSatisfy { $0.dtsMillis < $1.dtsMillis })
        #expect(relay.child.stderr.contains("publisher taken over"))
        #expect(await relay.stop() == 0)
    }
}
