import Foundation
import ProcessTestSupport
import Testing

/// The relay is killed and restarted mid-broadcast: classctl reconnects on its own, and a
/// player that reconnects gets the lesson again (keys and timetable survive in SQLite).
@Suite(.serialized)
struct RelayRestartTests {
    @Test func classctlReconnectsAfterTheRelayIsKilledAndRestarted() async throws {
        let rtmpPort = try freePort()
        let httpPort = try freePort()
        let ports = ["--rtmp-port", "\(rtmpPort)", "--http-port", "\(httpPort)", "--webrtc-port", "0"]
        let first = try await RelaydServer(config: RelaydServer.timetableConfig, extraArguments: ports)
        let ctl = Classctl(server: first.server, tokenFile: first.tokenFile)

        var (code, out, err) = try await ctl.run("--json", "schools", "add", "--id", "c", "--name", "Central", "--role", "central")
        #expect(code == 0, "\(err)")
        let centralKey = try EndToEndTests.key(in: out)
        (code, out, err) = try await ctl.run("--json", "schools", "add", "--id", "s", "--name", "Site", "--role", "site", "--bandwidth-kbps", "4000")
        #expect(code == 0, "\(err)")
        let siteKey = try EndToEndTests.key(in: out)
        (code, _, err) = try await ctl.run("pairings", "add", "--central-school-id", "c", "--site-id", "s", "--program", "dedicated")
        #expect(code == 0, "\(err)")
        let f = ISO8601DateFormatter()
        (code, _, err) = try await ctl.run(
            "classes", "add", "--id", "lesson", "--title", "Restart", "--program", "dedicated", "--central-school-id", "c",
            "--starts-at", f.string(from: Date().addingTimeInterval(-60)), "--ends-at", f.string(from: Date().addingTimeInterval(1800)),
            "--site-ids", "s")
        #expect(code == 0, "\(err)")

        let broadcast = try ctl.start(
            "broadcast", "start", "lesson", "--input", "testsrc", "--size", "320x240", "--key", centralKey,
            "--rtmp-url-base", first.rtmpBase)
        #expect(await broadcast.waitForOutput(timeout: .seconds(20)) { $0.contains("pushing testsrc") }, "\(broadcast.stderr)")
        #expect(await first.child.waitForOutput(timeout: .seconds(15)) { $0.contains("publish started") }, "the relay has the lesson")

        first.child.signal(SIGKILL)
        await first.child.wait(timeout: .seconds(5))
        #expect(
            await broadcast.waitForOutput(timeout: .seconds(15)) { $0.contains("reconnecting") },
            "classctl saw the relay go: \(broadcast.stderr.suffix(600))")
        let second = try await RelaydServer(config: RelaydServer.timetableConfig, extraArguments: ports, reuseDataDir: first.dataDir)

        let reconnected = await broadcast.waitForOutput(timeout: .seconds(30)) { $0.contains("reconnects 1") }
        #expect(reconnected, "classctl reconnects by itself: \(broadcast.stderr.suffix(600))")
        #expect(broadcast.isRunning)

        let (probe, probeOut, probeErr) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,width", "-of", "csv=p=0",
                "\(second.rtmpBase)/live/lesson?key=\(siteKey)",
            ], timeout: .seconds(20))
        #expect(probe == 0, "\(probeErr)")
        #expect(probeOut.contains("h264,320"))

        broadcast.signal(SIGINT)
        #expect(await broadcast.wait(timeout: .seconds(10)) == 0)
        #expect(await second.stop() == 0)
        withExtendedLifetime(first) {}
    }
}
