import Foundation
import ProcessTestSupport
import Testing

/// A player whose network disappears (no FIN, no RST) is dropped by the stall timeout; the other
/// players never notice.
@Suite(.serialized)
struct VanishingPeerTests {
    @Test func aPlayerThatVanishesWithoutFINIsDroppedAndOthersPlayOn() async throws {
        try await NamespaceHub.run(count: 1) { ns in try await run(ns) }
    }

    private func run(_ ns: NamespaceHub) async throws {
        let relay = try await RelaydServer(
            config: RelaydServer.openConfig(extra: "player:\n  stallTimeoutSeconds: 3\n"), extraArguments: ["--host", "0.0.0.0"]
        )
        let url = relay.url("vanish")
        let publisher = try MediaTools.publish(to: url, seconds: 90, size: "1280x720")
        defer { publisher.signal(SIGKILL) }
        let remote = try ns.spawn(0, "rtmpdump", ["--live", "-q", "-r", "rtmp://\(ns.hostAddress):\(relay.rtmpPort)/live/vanish", "-o", "/dev/null"])
        defer { remote.signal(SIGKILL) }
        let dir = try makeTemporaryDirectory("vanish")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await relay.waitForPlayers(1)
        #expect(try await relay.playerCount() == 1, "the player in the namespace plays")

        let localStart = Date()
        let local = try MediaTools.record(url, to: dir + "/local.flv")
        defer { local.signal(SIGKILL) }
        try await relay.waitForPlayers(2)
        #expect(try await relay.playerCount() == 2)
        await ns.unplug(0)
        let cutAt = Date()

        // The vanished player is dropped by the stall timeout (3 s) once its socket buffers are full.
        _ = try await waitUntil(timeout: .seconds(60), every: .milliseconds(500)) {
            relay.child.stderr.contains("accepted no data")
        }
        let droppedAfter = -cutAt.timeIntervalSinceNow
        // Not before the stall timeout (3 s), and within the time a 720p lesson takes to fill the socket buffers.
        #expect(
            droppedAfter >= 3 && droppedAfter < 30, "the vanished player dropped \(String(format: "%.1f", droppedAfter)) s after its link was cut")
        #expect(relay.child.stderr.contains("accepted no data"), "the vanished player is dropped by the stall timeout")
        #expect(try await relay.metric("relay_players") == 1, "the local player is still there")
        // Not a condition: 2 s more of the local player's recording, after the drop.
        try await Task.sleep(for: .seconds(2))

        // The local player got the lesson all along, without a gap.
        let localSeconds = -localStart.timeIntervalSinceNow
        local.signal(SIGINT)
        _ = await local.wait(timeout: .seconds(10))
        let video = try await MediaTools.packets(of: dir + "/local.flv").filter(\.isVideo)
        let gaps = zip(video.dropFirst(), video).map { $0.dtsMillis - $1.dtsMillis }
        #expect(video.count >= Int(localSeconds * 25 * 0.9), "got \(video.count) video packets in \(localSeconds) s")
        #expect((gaps.max() ?? 0) < 1000, "largest gap \(gaps.max() ?? 0) ms")
        #expect(await relay.stop() == 0)
    }
}
