import ProcessTestSupport
import Foundation
import Testing

/// A player whose network disappears (no FIN, no RST) is dropped by the stall timeout; the other
/// players never notice.
@Suite(.serialized)
struct VanishingPeerTests {
    @Test func aPlayerThatVanishesWithoutFINIsDroppedAndOthersPlayOn() async throws {
        let (made, why) = await NetworkNamespace.make()
        guard let ns = made else {
            print("skipping the vanishing-player test: \(why) (needs root and ip netns)")
            return
        }
        let outcome: Result<Void, any Error>
        do {
            try await run(ns)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await ns.remove()
        try outcome.get()
    }

    private func run(_ ns: NetworkNamespace) async throws {
        let relay = try await RelaydServer(
            config: RelaydServer.openConfig(extra: "player:\n  stallTimeoutSeconds: 3\n"), extraArguments: ["--host", "0.0.0.0"]
        )
        let url = relay.url("vanish")
        let publisher = try MediaTools.publish(to: url, seconds: 30)
        defer { publisher.signal(SIGKILL) }
        let remote = try ns.spawn("rtmpdump", ["--live", "-q", "-r", "rtmp://\(ns.hostAddress):\(relay.rtmpPort)/live/vanish", "-o", "/dev/null"])
        defer { remote.signal(SIGKILL) }
        let dir = try makeTemporaryDirectory("vanish")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await Task.sleep(for: .seconds(3))
        #expect(try await relay.metric("relay_players") == 1, "the player in the namespace plays")

        let local = try MediaTools.record(url, to: dir + "/local.flv", seconds: 10)
        defer { local.signal(SIGKILL) }
        try await Task.sleep(for: .seconds(1))
        await ns.cutLink()
        let cutAt = Date()

        // The vanished player is dropped by the stall timeout (3 s) once its socket buffer is full.
        var players = 2.0
        while -cutAt.timeIntervalSinceNow < 30 {
            players = try await relay.metric("relay_players")
            if players <= 1 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        print("vanishing player dropped after \(String(format: "%.1f", -cutAt.timeIntervalSinceNow)) s")
        #expect(players == 1, "only the local player is left")
        #expect(relay.child.stderr.contains("accepted no data"))

        #expect(await local.wait(timeout: .seconds(30)) == 0, "\(local.stderr)")
        let video = try await MediaTools.packets(of: dir + "/local.flv").filter(\.isVideo)
        #expect(video.count >= 240, "10 s at 25 fps without a stall, got \(video.count)")
        #expect(await relay.stop() == 0)
    }
}
