import Foundation
import ProcessTestSupport
import Testing

/// `classctl broadcast start --protocol srt` against a real relayd in timetable mode: the lesson
/// is pushed over SRT with the central key and plays over SRT and RTMP with the site's key.
@Suite(.serialized) struct SRTBroadcastTests {
    @Test func broadcastOverSRT() async throws {
        let relayd = try await RelaydServer(config: RelaydServer.timetableConfig)
        let ctl = Classctl(server: relayd.server, tokenFile: relayd.tokenFile)
        var (code, out, err) = try await ctl.run("--json", "schools", "add", "--id", "c1", "--name", "Central", "--role", "central")
        #expect(code == 0, "\(err)")
        let centralKey = try EndToEndTests.key(in: out)
        (code, out, err) = try await ctl.run(
            "--json", "schools", "add", "--id", "s1", "--name", "Village", "--role", "site", "--bandwidth-kbps", "3000")
        #expect(code == 0, "\(err)")
        let siteKey = try EndToEndTests.key(in: out)
        (code, _, err) = try await ctl.run("pairings", "add", "--central-school-id", "c1", "--site-id", "s1", "--program", "dedicated")
        #expect(code == 0, "\(err)")
        let formatter = ISO8601DateFormatter()
        (code, _, err) = try await ctl.run(
            "classes", "add", "--id", "srt-1", "--title", "Chinese", "--program", "dedicated", "--central-school-id", "c1",
            "--starts-at", formatter.string(from: Date().addingTimeInterval(-60)),
            "--ends-at", formatter.string(from: Date().addingTimeInterval(1800)), "--site-ids", "s1")
        #expect(code == 0, "\(err)")

        let work = try makeTemporaryDirectory("classctl-srt")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let file = try await EndToEndTests.makeFLV(seconds: 4, in: work)
        let srtBase = "srt://127.0.0.1:\(relayd.srtPort)"
        let publisher = try ctl.start(
            "broadcast", "start", "srt-1", "--input", file, "--key", centralKey, "--loop", "--protocol", "srt", "--srt-url-base", srtBase)
        let live = try await waitUntil(timeout: .seconds(30)) {
            let (_, status, _) = try await ctl.run("broadcast", "status", "srt-1")
            return status.contains("live") && status.contains("publisher:  srt")
        }
        #expect(live, "\(publisher.stderr) \(relayd.child.stderr)")

        let srtPlay = "\(srtBase)?streamid=#!::r=live/srt-1,m=request,s=\(siteKey)"
        let (playCode, _, playErr) = try await runTool(
            "ffmpeg", ["-hide_banner", "-v", "error", "-i", srtPlay, "-t", "3", "-f", "null", "-"], timeout: .seconds(30))
        #expect(playCode == 0 && playErr.isEmpty, "SRT play: \(playErr)")
        let (probeCode, probe, probeErr) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", "\(relayd.rtmpBase)/live/srt-1?key=\(siteKey)",
            ], timeout: .seconds(20))
        #expect(probeCode == 0 && probe.contains("h264") && probe.contains("aac"), "RTMP play of the SRT broadcast: \(probeErr)")

        publisher.signal(SIGINT)
        #expect(await publisher.wait(timeout: .seconds(10)) == 0, "\(publisher.stderr)")
        #expect(await relayd.stop() == 0)
    }
}
