import Foundation
import ProcessTestSupport
import Testing

/// WHIP publishing (RFC 9725) from Chromium's fake camera and microphone: the lesson reaches
/// RTMP, SRT and WHEP players as H.264 + AAC, and a site's return feed reaches its teacher wall.
@Suite(.serialized)
struct WHIPTests {
    static let browserDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser")

    /// Chromium publishing to `url` for `seconds`, once its peer connection is connected.
    static func publish(_ url: String, key: String, seconds: Int, prefix: [String] = []) async throws -> ChildProcess {
        let command = prefix + ["/usr/bin/python3", browserDir.appendingPathComponent("whip_publish.py").path, url, "--key", key, "--seconds", "\(seconds)"]
        let browser = try ChildProcess(command[0], Array(command.dropFirst()))
        for _ in 0..<120 where !browser.stdout.contains("READY ") && browser.process.isRunning {
            try await Task.sleep(for: .milliseconds(500))
        }
        let ready = browser.stdout.split(separator: "\n").first { $0.hasPrefix("READY ") }
        let json = ready.flatMap { try? JSONSerialization.jsonObject(with: Data($0.dropFirst(6).utf8)) as? [String: Any] } ?? [:]
        guard json["status"] as? Int == 201, json["connectionState"] as? String == "connected" else {
            browser.signal(SIGKILL)
            throw TestFailure("the WHIP publisher did not connect: \(browser.stdout) \(browser.stderr.suffix(2000))")
        }
        return browser
    }

    /// The publisher's last JSON line (its sender statistics) once it has finished.
    static func finished(_ browser: ChildProcess) async throws -> [String: Any] {
        _ = await browser.wait(timeout: .seconds(120))
        guard let line = browser.stdout.split(separator: "\n").last,
            let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("no result from the publisher: \(browser.stdout) \(browser.stderr.suffix(2000))") }
        return json
    }

    @Test func aBrowserPublishesTheLessonAndEveryProtocolPlaysIt() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let keys = try await OneClassTimetable.make(on: relay, classId: "whip", title: "WHIP", bandwidthKbps: 8000)
        let whip = "http://127.0.0.1:\(relay.httpPort)/whip/live/whip"

        // Only the central school publishes the lesson.
        let sdp = ["-H", "Content-Type: application/sdp", "--data-binary", "v=0"]
        #expect(try await Curl.call(whip, method: "POST", extra: sdp).status == 401)
        let refused = try await Curl.call(whip, method: "POST", extra: sdp + ["-H", "Authorization: Bearer \(keys["site-a"]!)"])
        #expect(refused.status == 403 && refused.body.contains("publish refused"), "\(refused.body)")
        #expect(try await Curl.call(whip, method: "POST", extra: ["-H", "Content-Type: application/sdp", "--data-binary", "garbage", "-H", "Authorization: Bearer \(keys["central"]!)"]).status == 400)

        let publisher = try await Self.publish(whip, key: keys["central"]!, seconds: 25)
        defer { publisher.signal(SIGKILL) }
        let site = keys["site-a"]!

        // RTMP: H.264 640x360 and AAC (from Opus), decoding without an error.
        var streams = ""
        for _ in 0..<20 where !(streams.contains("h264") && streams.contains("aac")) {
            (_, streams, _) = try await runTool("ffprobe", [
                "-v", "error", "-show_entries", "stream=codec_name,width,sample_rate", "-of", "csv=p=0", relay.url("whip?key=\(site)"),
            ], timeout: .seconds(20))
        }
        #expect(streams.contains("h264,640") && streams.contains("aac"), "\(streams)")
        let (rtmpCode, _, rtmpErrors) = try await runTool("ffmpeg", [
            "-hide_banner", "-v", "error", "-i", relay.url("whip?key=\(site)"), "-t", "4", "-f", "null", "-",
        ], timeout: .seconds(30))
        #expect(rtmpCode == 0 && rtmpErrors.isEmpty, "RTMP decode: \(rtmpErrors)")
        // SRT.
        let (srtCode, srtErrors) = try await SRTTools.decode(relay.srtURL("whip", mode: "request", key: site), seconds: 3)
        #expect(srtCode == 0 && srtErrors.isEmpty, "SRT decode: \(srtErrors)")
        // The live view: a WebRTC publisher of 640x360.
        let live = try await relay.api.call("GET", "/classes/whip/live").object
        let info = live["publisher"] as? [String: Any]
        #expect(info?["protocol"] as? String == "webrtc", "\(live)")
        #expect((info?["video"] as? [String: Any])?["width"] as? Int == 640)
        // WHEP in a second browser.
        let (code, out, err) = try await runTool("/usr/bin/python3", [
            Self.browserDir.appendingPathComponent("whep_play.py").path, "http://127.0.0.1:\(relay.httpPort)/whep/live/whip",
            "--key", site, "--seconds", "4",
        ], timeout: .seconds(90))
        let viewer = out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        #expect(code == 0 && (viewer["framesDecoded"] as? Int ?? 0) > 20 && viewer["frameWidth"] as? Int == 640, "WHEP: \(viewer) \(err.suffix(1000))")
        #expect((viewer["totalAudioEnergy"] as? Double ?? 0) > 0, "the viewer hears the publisher's microphone: \(viewer)")

        let sent = try await Self.finished(publisher)
        #expect(sent["videoCodec"] as? String == "video/H264" && sent["audioCodec"] as? String == "audio/opus", "\(sent)")
        #expect((sent["pliCount"] as? Int ?? 0) >= 3, "a keyframe is asked for at the start and every 2 s: \(sent)")
        #expect(sent["deleteStatus"] as? Int == 200)
        #expect(await relay.child.waitForOutput(timeout: .seconds(5)) { $0.contains("whip publish ended") })
        #expect(await relay.stop() == 0)
    }

    @Test func aSitesReturnFeedOverWHIPIsOnTheTeacherWall() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let feed = "http://127.0.0.1:\(relay.httpPort)/whip/live/math~site-a"
        let other = try await Curl.call(feed, method: "POST", extra: ["-H", "Content-Type: application/sdp", "--data-binary", "v=0", "-H", "Authorization: Bearer \(keys["site-b"]!)"])
        #expect(other.status == 403, "another site cannot publish site-a's feed: \(other.body)")
        let publisher = try await Self.publish(feed, key: keys["site-a"]!, seconds: 40)
        defer { publisher.signal(SIGKILL) }
        let feeds = try await ReturnFeedTests.returnFeeds(relay, count: 1)
        #expect(feeds.first?["siteId"] as? String == "site-a" && feeds.first?["protocol"] as? String == "webrtc", "\(feeds)")

        let (code, out, err) = try await runTool("/usr/bin/python3", [
            Self.browserDir.appendingPathComponent("teacher_wall.py").path,
            "http://127.0.0.1:\(relay.httpPort)/teacher/math?key=\(keys["central"]!)", "--tiles", "1", "--timeout", "30",
        ], timeout: .seconds(90))
        let page = out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let tiles = page["tiles"] as? [[String: Any]] ?? []
        let tile = tiles.first { $0["site"] as? String == "site-a" }
        #expect(code == 0 && tile?["live"] as? Bool == true && tile?["width"] as? Int == 640, "\(page) \(err.suffix(1000))")
        #expect((tile?["time"] as? Double ?? 0) > 0.5 && (tile?["colours"] as? Int ?? 0) > 1, "the site's camera plays on the wall: \(tiles)")
        #expect(tiles.first { $0["site"] as? String == "site-b" }?["live"] as? Bool == false)
        #expect(await relay.stop() == 0)
    }
}
