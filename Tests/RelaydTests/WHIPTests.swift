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
        let command =
            prefix + ["/usr/bin/python3", browserDir.appendingPathComponent("whip_publish.py").path, url, "--key", key, "--seconds", "\(seconds)"]
        let browser = try ChildProcess(command[0], Array(command.dropFirst()))
        _ = try await waitUntil(timeout: .seconds(60), every: .milliseconds(500)) {
            browser.stdout.contains("READY ") || !browser.process.isRunning
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
        #expect(
            try await Curl.call(
                whip, method: "POST",
                extra: ["-H", "Content-Type: application/sdp", "--data-binary", "garbage", "-H", "Authorization: Bearer \(keys["central"]!)"]
            ).status == 400)

        let publisher = try await Self.publish(whip, key: keys["central"]!, seconds: 25)
        defer { publisher.signal(SIGKILL) }
        let site = keys["site-a"]!

        // RTMP: H.264 640x360 and AAC (from Opus), decoding without an error.
        var streams = ""
        for _ in 0..<20 where !(streams.contains("h264") && streams.contains("aac")) {
            (_, streams, _) = try await runTool(
                "ffprobe",
                [
                    "-v", "error", "-show_entries", "stream=codec_name,width,sample_rate", "-of", "csv=p=0", relay.url("whip?key=\(site)"),
                ], timeout: .seconds(20))
        }
        #expect(streams.contains("h264,640") && streams.contains("aac"), "\(streams)")
        let (rtmpCode, _, rtmpErrors) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-v", "error", "-i", relay.url("whip?key=\(site)"), "-t", "4",
            ] + MediaTools.decodeToNull, timeout: .seconds(30))
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
        let (code, out, err) = try await runTool(
            "/usr/bin/python3",
            [
                Self.browserDir.appendingPathComponent("whep_play.py").path, "http://127.0.0.1:\(relay.httpPort)/whep/live/whip",
                "--key", site, "--seconds", "4",
            ], timeout: .seconds(90))
        let viewer = out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        #expect(
            code == 0 && (viewer["framesDecoded"] as? Int ?? 0) > 20 && viewer["frameWidth"] as? Int == 640, "WHEP: \(viewer) \(err.suffix(1000))")
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
        let other = try await Curl.call(
            feed, method: "POST",
            extra: ["-H", "Content-Type: application/sdp", "--data-binary", "v=0", "-H", "Authorization: Bearer \(keys["site-b"]!)"])
        #expect(other.status == 403, "another site cannot publish site-a's feed: \(other.body)")
        let publisher = try await Self.publish(feed, key: keys["site-a"]!, seconds: 40)
        defer { publisher.signal(SIGKILL) }
        let feeds = try await ReturnFeedTests.returnFeeds(relay, count: 1)
        #expect(feeds.first?["siteId"] as? String == "site-a" && feeds.first?["protocol"] as? String == "webrtc", "\(feeds)")

        let (code, out, err) = try await runTool(
            "/usr/bin/python3",
            [
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

    @Test func fivePercentLossOnTheUplinkIsRepairedByNACK() async throws {
        try await BottleneckTests.Namespaces.run("WHIPTests") { ns, dir, children in
            let (relay, rtmp) = try await ns.startRelay(
                config: "transcode:\n  enabled: false\nwebrtc:\n  publicAddresses: [\"10.231.7.1\"]\n", dir: dir, protocol: "rtmp"
            )
            children.append(relay)
            guard let http = RelaydServer.port(of: "http", in: relay.stdout) else { throw TestFailure("no http port: \(relay.stdout)") }
            // The school's uplink loses 5 % of what it sends: dropped as it reaches the relay's
            // namespace (a drop on the sender's own output hook fails its sendmsg with EPERM,
            // which Chromium sends again, so it would lose nearly nothing).
            for rule in [
                ["add", "table", "inet", "lossy"],
                ["add", "chain", "inet", "lossy", "in", "{ type filter hook input priority 0 ; }"],
                [
                    "add", "rule", "inet", "lossy", "in", "ip", "saddr", "10.231.7.2", "meta", "l4proto", "udp", "numgen", "random", "mod", "100",
                    "<", "5", "drop",
                ],
            ] {
                let (code, _, err) = try await runTool("ip", ["netns", "exec", ns.server, "nft"] + rule)
                guard code == 0 else { throw TestFailure("nft \(rule.joined(separator: " ")): \(err)") }
            }
            let publisher = try await Self.publish(
                "http://10.231.7.1:\(http)/whip/live/wloss", key: "", seconds: 30, prefix: ["ip", "netns", "exec", ns.client]
            )
            children.append(publisher)
            #expect(await relay.waitForOutput(timeout: .seconds(15)) { $0.contains("whip publish started") }, "\(relay.stderr.suffix(2000))")
            let file = dir + "/received.flv"
            let recorder = try ChildProcess(
                "ip",
                [
                    "netns", "exec", ns.server, "ffmpeg", "-hide_banner", "-loglevel", "error",
                    "-i", "rtmp://127.0.0.1:\(rtmp)/live/wloss", "-t", "15", "-c", "copy", "-f", "flv", "-y", file,
                ])
            children.append(recorder)
            #expect(await recorder.wait(timeout: .seconds(40)) == 0, "\(recorder.stderr)")
            let packets = try await MediaTools.packets(of: file)
            // (Chromium's encoder adapts to the loss: 320x180 at about 16 fps here.)
            #expect(packets.filter(\.isVideo).count > 150, "15 s of pictures: \(packets.count) packets")
            #expect(packets.first(where: \.isVideo)?.isKey == true, "the player starts at a keyframe")
            let errors = try await MediaTools.decodeErrors(of: file)
            #expect(errors.isEmpty, "the picture decodes without an error after the first keyframe: \(errors.prefix(2000))")
            let sent = try await Self.finished(publisher)
            print("whip 5 % uplink loss: \(sent)")
            _ = await relay.waitForOutput(timeout: .seconds(5)) { $0.contains("whip publish ended") }
            print(
                "whip 5 % uplink loss, relay: \(relay.stderr.split(separator: "\n").filter { $0.contains("whip publish ended") || $0.contains("connected") })"
            )
            #expect((sent["nackCount"] as? Int ?? 0) > 10, "the relay asked for what was lost: \(sent)")
            #expect((sent["retransmittedPacketsSent"] as? Int ?? 0) > 10, "and got it again: \(sent)")
        }
    }
}
