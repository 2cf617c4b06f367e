import ProcessTestSupport
import Foundation
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
        try await Task.sleep(for: .seconds(3))
        #expect(try await relay.metric("relay_players") == 1, "the player in the namespace plays")

        let local = try MediaTools.record(url, to: dir + "/local.flv")
        defer { local.signal(SIGKILL) }
        try await Task.sleep(for: .seconds(2))
        #expect(try await relay.metric("relay_players") == 2)
        await ns.unplug(0)
        let cutAt = Date()

        // The vanished player is dropped by the stall timeout (3 s) once its socket buffers are full.
        while -cutAt.timeIntervalSinceNow < 60, !relay.child.stderr.contains("accepted no data") {
            try await Task.sleep(for: .milliseconds(500))
        }
        let droppedAfter = -cutAt.timeIntervalSinceNow
        print("vanishing player dropped \(String(format: "%.1f", droppedAfter)) s after its link was cut")
        #expect(relay.child.stderr.contains("accepted no data"), "the vanished player is dropped by the stall timeout")
        #expect(try await relay.metric("relay_players") == 1, "the local player is still there")
        try await Task.sleep(for: .seconds(2))

        // The local player got the lesson all along, without a gap.
        local.signal(SIGINT)
        _ = await local.wait(timeout: .seconds(10))
        let video = try await MediaTools.packets(of: dir + "/local.flv").filter(\.isVideo)
        let gaps = zip(video.dropFirst(), video).map { $0.dtsMillis - $1.dtsMillis }
        #expect(video.count >= Int((droppedAfter + 3) * 25 * 0.9), "got \(video.count) video packets")
        #expect((gaps.max() ?? 0) < 1000, "largest gap \(gaps.max() ?? 0) ms")
        #expect(await relay.stop() == 0)
    }
}
