import Foundation
import ProcessTestSupport
import Testing

/// Runs the built `classctl` against a real relayd (timetable mode): CRUD, a broadcast
/// received by an ffmpeg player, the live view, a wrong key and an unreachable server.
@Suite(.serialized) struct EndToEndTests {
    static func key(in json: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return try #require(object?["key"] as? String)
    }

    static func makeFLV(seconds: Int, in directory: String) async throws -> String {
        let path = directory + "/lesson-\(seconds)s.flv"
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", "-y", path,
            ])
        guard code == 0 else { throw TestFailure("ffmpeg failed: \(err)") }
        return path
    }

    @Test func broadcastLifecycle() async throws {
        let relayd = try await RelaydServer(config: RelaydServer.timetableConfig)
        let ctl = Classctl(server: relayd.server, tokenFile: relayd.tokenFile)
        let work = try makeTemporaryDirectory("classctl-e2e")
        defer { try? FileManager.default.removeItem(atPath: work) }

        // Schools, pairing, class.
        var (code, out, err) = try await ctl.run("--json", "schools", "add", "--id", "central-1", "--name", "Central", "--role", "central")
        #expect(code == 0, "\(err)")
        let centralKey = try Self.key(in: out)
        (code, out, err) = try await ctl.run("schools", "add", "--id", "site-1", "--name", "Village", "--role", "site", "--bandwidth-kbps", "4000")
        #expect(code == 0, "\(err)")
        #expect(out.contains("shown only now"))
        (code, out, err) = try await ctl.run("--json", "schools", "rotate-key", "site-1")
        #expect(code == 0, "\(err)")
        let siteKey = try Self.key(in: out)
        (code, out, err) = try await ctl.run("pairings", "add", "--central-school-id", "central-1", "--site-id", "site-1", "--program", "dedicated")
        #expect(code == 0, "\(err)")
        let formatter = ISO8601DateFormatter()
        let starts = formatter.string(from: Date().addingTimeInterval(-300))
        let ends = formatter.string(from: Date().addingTimeInterval(2400))
        (code, out, err) = try await ctl.run(
            "classes", "add", "--id", "lesson-1", "--title", "Math", "--program", "dedicated", "--central-school-id", "central-1",
            "--starts-at", starts, "--ends-at", ends, "--site-ids", "site-1")
        #expect(code == 0, "\(err)")
        (code, out, err) = try await ctl.run("classes", "list")
        #expect(code == 0 && out.contains("lesson-1") && out.contains("Math"), "\(out) \(err)")
        (code, out, err) = try await ctl.run("timetable")
        #expect(code == 0 && out.contains("Math") && out.contains("(dedicated)"), "\(out) \(err)")

        // A refusal from the API: exit 1 with the server's message.
        (code, out, err) = try await ctl.run("classes", "show", "no-such-class")
        #expect(code == 1)
        #expect(err.contains("not found"), "\(err)")

        let longFile = try await Self.makeFLV(seconds: 4, in: work)
        let shortFile = try await Self.makeFLV(seconds: 1, in: work)

        // Wrong key: the relay refuses; exit 1 with its reason.
        (code, out, err) = try await ctl.run(
            "broadcast", "start", "lesson-1", "--input", shortFile, "--key", "wrong-key", "--rtmp-url-base", relayd.rtmpBase)
        #expect(code == 1, "\(out) \(err)")
        #expect(err.contains("refused") && err.contains("key"), "\(err)")

        // The right key, looping: a player receives it and the live view shows the viewer.
        let publisher = try ctl.start(
            "broadcast", "start", "lesson-1", "--input", longFile, "--key", centralKey, "--loop", "--rtmp-url-base", relayd.rtmpBase)
        let live = try await waitUntil(timeout: .seconds(30)) {
            let (_, status, _) = try await ctl.run("broadcast", "status", "lesson-1")
            return status.contains("live") && status.contains("publisher:  rtmp")
        }
        #expect(live, "\(publisher.stderr)")
        let recording = work + "/received.flv"
        let player = try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-i", "\(relayd.rtmpBase)/live/lesson-1?key=\(siteKey)",
                "-t", "5", "-c", "copy", "-f", "flv", "-y", recording,
            ])
        let sawViewer = try await waitUntil(timeout: .seconds(30)) {
            let (_, status, _) = try await ctl.run("broadcast", "status", "lesson-1")
            return status.contains("site-1") && status.contains("Viewers (1)")
        }
        #expect(sawViewer)
        // site-1 sends its classroom back: status lists the return feed.
        let returnFeed = try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", longFile, "-t", "8", "-c", "copy", "-f", "flv",
                "\(relayd.rtmpBase)/live/lesson-1~site-1?key=\(siteKey)",
            ])
        defer { returnFeed.signal(SIGKILL) }
        let sawFeed = try await waitUntil(timeout: .seconds(30)) {
            try await ctl.run("broadcast", "status", "lesson-1").1
        } until: {
            $0.contains("Return feeds (1)")
        }
        #expect(sawFeed.contains("Return feeds (1)") && sawFeed.contains("site-1  rtmp"), "\(sawFeed) \(returnFeed.stderr)")
        (code, out, err) = try await ctl.run("--json", "broadcast", "status", "lesson-1")
        #expect(code == 0 && out.contains("\"siteId\":\"site-1\""), "\(out)")
        let playerCode = await player.wait(timeout: .seconds(30))
        #expect(playerCode == 0, "\(player.stderr)")
        let (_, probe, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", recording,
            ])
        let duration = Double(probe.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(duration >= 4.5, "received \(probe)")  // more than one pass of the 4 s file: the loop continues

        publisher.signal(SIGINT)
        let publisherCode = await publisher.wait(timeout: .seconds(10))
        #expect(publisherCode == 0, "\(publisher.stderr)")
        #expect(publisher.stderr.contains("dropped 0"), "\(publisher.stderr)")

        // Without --loop: exit 0 at the end of the input.
        (code, out, err) = try await ctl.run(
            "broadcast", "start", "lesson-1", "--input", shortFile, "--key", centralKey, "--rtmp-url-base", relayd.rtmpBase,
            timeout: .seconds(30))
        #expect(code == 0, "\(err)")
        #expect(err.contains("end of input"), "\(err)")

        // Usage errors exit 2.
        (code, _, err) = try await ctl.run("broadcast", "start", "lesson-1", "--input", "testsrc", "--size", "321x240", "--key", centralKey)
        #expect(code == 2, "\(err)")
        (code, _, err) = try await ctl.run("schools", "add", "--name", "x")
        #expect(code == 2, "\(err)")

        #expect(await relayd.stop() == 0)
    }

    @Test func severalServersUseTheFirstThatAnswers() async throws {
        let relayd = try await RelaydServer(config: RelaydServer.timetableConfig)
        let down = "http://127.0.0.1:\(try freePort())"
        let ctl = Classctl(server: "\(down),\(relayd.server)", tokenFile: relayd.tokenFile)
        let (code, out, err) = try await ctl.run("--json", "schools", "list")
        #expect(code == 0 && out.hasPrefix("["), "the second server answers: \(out) \(err)")
        let (downCode, _, downErr) = try await Classctl(server: "\(down),\(down)", tokenFile: relayd.tokenFile).run("schools", "list")
        #expect(downCode == 1 && downErr.contains("cannot reach relayd at \(down)"), "none answers: the first is named: \(downErr)")
        #expect(await relayd.stop() == 0)
    }

    @Test func unreachableServer() async throws {
        let port = try freePort()
        let ctl = Classctl(server: "http://127.0.0.1:\(port)", tokenFile: nil)
        let (code, _, err) = try await ctl.run("--token", "t", "schools", "list")
        #expect(code == 1)
        #expect(err.contains("cannot reach relayd at http://127.0.0.1:\(port)"), "\(err)")
    }
}
