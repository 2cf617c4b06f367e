import Foundation
import ProcessTestSupport
import Testing

/// The two-way dedicated classroom: each site publishes its own classroom as
/// `live/<classId>~<siteId>` and only the class's central school plays it, over every protocol.
@Suite(.serialized)
struct ReturnFeedTests {
    /// Schools `central`, `site-a`, `site-b` (both sites of `math`, live now; `site-a` also of
    /// `later`, three hours away) and `stranger` (of no class). Returns the keys.
    static func timetable(on relay: RelaydServer) async throws -> [String: String] {
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, name, role) in [
            ("central", "县一中", "central"), ("site-a", "东山教学点", "site"), ("site-b", "西河教学点", "site"), ("stranger", "stranger", "site"),
        ] {
            var body: [String: Any] = ["id": id, "name": name, "role": role]
            if role == "site" { body["bandwidthKbps"] = 4000 }
            let reply = try await api.call("POST", "/schools", body)
            try #require(reply.status == 201)
            keys[id] = reply.object["key"] as? String
        }
        for site in ["site-a", "site-b"] {
            try #require(
                try await api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": site, "program": "dedicated"]).status == 201)
        }
        let now = Date()
        for (id, from, to, sites) in [("math", -60.0, 3600.0, ["site-a", "site-b"]), ("later", 3 * 3600.0, 4 * 3600.0, ["site-a"])] {
            try #require(
                try await api.call(
                    "POST", "/classes",
                    [
                        "id": id, "title": id == "math" ? "数学" : "Later", "program": "dedicated", "centralSchoolId": "central", "teacher": "王老师",
                        "startsAt": rfc3339(now.addingTimeInterval(from)), "endsAt": rfc3339(now.addingTimeInterval(to)), "siteIds": sites,
                    ]
                ).status == 201)
        }
        return keys
    }

    /// Polls the class's live view until `count` return feeds are listed.
    static func returnFeeds(_ relay: RelaydServer, count: Int) async throws -> [[String: Any]] {
        try await waitUntil(timeout: .seconds(30), every: .milliseconds(250)) {
            try await relay.api.call("GET", "/classes/math/live").object["returnFeeds"] as? [[String: Any]] ?? []
        } until: { feeds in
            feeds.count >= count && feeds.allSatisfy { $0["video"] != nil && ($0["inputKbps"] as? Int ?? 0) > 0 }
        }
    }

    @Test func sitesPublishReturnFeedsOverRTMPAndSRTAndOnlyTheCentralSchoolPlaysThem() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\npublisher:\n  graceSeconds: 2\n")
        let keys = try await Self.timetable(on: relay)
        let (central, siteA, siteB) = (keys["central"]!, keys["site-a"]!, keys["site-b"]!)

        // site-a over RTMP, site-b over SRT, each with its own key.
        let feedA = try MediaTools.publish(to: relay.url("math~site-a?key=\(siteA)"), seconds: 60)
        defer { feedA.signal(SIGKILL) }
        let feedB = try SRTTools.publish(to: relay.srtURL("math~site-b", mode: "publish", key: siteB), seconds: 60)
        defer { feedB.signal(SIGKILL) }
        let feeds = try await Self.returnFeeds(relay, count: 2)
        #expect(feeds.map { $0["siteId"] as? String } == ["site-a", "site-b"], "\(feeds)")
        #expect(feeds.map { $0["protocol"] as? String } == ["rtmp", "srt"])
        #expect(feeds.allSatisfy { ($0["video"] as? [String: Any])?["width"] as? Int == 640 && $0["since"] is String })
        let lesson = try await relay.api.call("GET", "/classes/math/live").object
        #expect(lesson["publisher"] == nil, "a return feed is not the lesson")

        // The central key plays both feeds over RTMP and SRT.
        for (feed, over) in [("math~site-a", "rtmp"), ("math~site-a", "srt"), ("math~site-b", "rtmp"), ("math~site-b", "srt")] {
            let url = over == "rtmp" ? relay.url("\(feed)?key=\(central)") : relay.srtURL(feed, mode: "request", key: central)
            let (code, out, err) = try await runTool(
                "ffprobe",
                [
                    "-v", "error", "-show_entries", "stream=codec_name,width", "-of", "csv=p=0", url,
                ], timeout: .seconds(20))
            #expect(code == 0 && out.contains("h264") && out.contains("640") && out.contains("aac"), "\(feed) over \(over): \(out) \(err)")
        }
        // Over HTTP-FLV.
        let (flvCode, flvOut, flvErr) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                "http://127.0.0.1:\(relay.httpPort)/flv/live/math~site-b.flv?key=\(central)",
            ], timeout: .seconds(20))
        #expect(flvCode == 0 && flvOut.contains("h264"), "HTTP-FLV: \(flvOut) \(flvErr)")
        // And over HLS: the source only, as return feeds are not transcoded by default.
        let playlist = try await Curl.call("http://127.0.0.1:\(relay.httpPort)/hls/live/math~site-a/index.m3u8?key=\(central)")
        #expect(playlist.status == 200, "\(playlist.body)")
        #expect(playlist.body.contains("#EXT-X-STREAM-INF") && !playlist.body.contains("360p") && !playlist.body.contains("480p"), "\(playlist.body)")
        let viewers = (try await Self.returnFeeds(relay, count: 2).first?["viewers"] as? [[String: Any]]) ?? []
        #expect(viewers.allSatisfy { $0["rendition"] as? String == "source" }, "\(viewers)")

        // Nobody else plays a return feed: another site, the site itself, a school of no class.
        for (who, key) in [("site-b", siteB), ("site-a itself", siteA), ("stranger", keys["stranger"]!)] {
            let (code, _, err) = try await runTool("ffprobe", ["-v", "error", relay.url("math~site-a?key=\(key)")], timeout: .seconds(15))
            #expect(code != 0 && err.contains("play refused"), "\(who) must not play site-a's feed: \(err)")
            let srt = try await SRTTools.decode(relay.srtURL("math~site-a", mode: "request", key: key), seconds: 1, timeout: 15)
            #expect(srt.0 != 0, "\(who) must not play site-a's feed over SRT")
        }
        #expect(try await Curl.call("http://127.0.0.1:\(relay.httpPort)/hls/live/math~site-a/index.m3u8?key=\(siteB)").status == 403)

        // Nobody but the site publishes its feed: another site, the central school; nor outside
        // the class's window, nor a school that is not a site of the class.
        for (who, stream, key, reason) in [
            ("site-b as site-a", "math~site-a", siteB, "only site 'site-a' publishes"),
            ("the central school as site-a", "math~site-a", central, "only site 'site-a' publishes"),
            ("outside the window", "later~site-a", siteA, "not open now"),
            ("a school of no class", "math~stranger", keys["stranger"]!, "is not a site of class 'math'"),
        ] {
            let refused = try MediaTools.publish(to: relay.url("\(stream)?key=\(key)"), seconds: 3)
            #expect(await refused.wait(timeout: .seconds(10)) != 0, "\(who) must be refused")
            #expect(refused.stderr.contains(reason), "\(who): \(refused.stderr)")
        }
        let srtRefused = try SRTTools.publish(to: relay.srtURL("math~site-b", mode: "publish", key: siteA), seconds: 3)
        #expect(await srtRefused.wait(timeout: .seconds(20)) != 0, "site-a must not publish site-b's feed over SRT")
        let log = relay.child.stderr
        #expect(log.contains("only site 'site-b' publishes its return feed"), "the SRT refusal's reason is logged")
        for key in keys.values { #expect(!log.contains(key)) }

        // A feed that stops leaves the live view once the publisher's grace has passed.
        feedB.signal(SIGKILL)
        let left = try await waitUntil(timeout: .seconds(20), every: .milliseconds(250)) {
            try await relay.api.call("GET", "/classes/math/live").object["returnFeeds"] as? [[String: Any]] ?? []
        } until: {
            $0.count == 1
        }
        #expect(left.map { $0["siteId"] as? String } == ["site-a"])
        #expect(await relay.stop() == 0)
    }

    @Test func theTeacherWallShowsEverySitesReturnFeedInChromium() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let keys = try await Self.timetable(on: relay)
        let base = "http://127.0.0.1:\(relay.httpPort)/teacher/math"
        #expect(try await Curl.call(base).status == 401)
        #expect(try await Curl.call(base + "?key=\(keys["site-a"]!)").status == 403, "a site's key does not open the wall")
        #expect(try await Curl.call("http://127.0.0.1:\(relay.httpPort)/teacher/nosuch?key=\(keys["central"]!)").status == 404)

        let feedA = try MediaTools.publish(to: relay.url("math~site-a?key=\(keys["site-a"]!)"), seconds: 60)
        defer { feedA.signal(SIGKILL) }
        let feedB = try SRTTools.publish(to: relay.srtURL("math~site-b", mode: "publish", key: keys["site-b"]!), seconds: 60)
        defer { feedB.signal(SIGKILL) }
        _ = try await Self.returnFeeds(relay, count: 2)

        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/teacher_wall.py").path
        let (code, out, err) = try await runTool(
            "/usr/bin/python3", [script, base + "?key=\(keys["central"]!)", "--tiles", "2", "--timeout", "40"], timeout: .seconds(90)
        )
        let line = out.split(separator: "\n").last.map(String.init) ?? ""
        let page = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "exit \(code.map(String.init) ?? "?"): \(out) \(err)")
        #expect(page["status"] as? Int == 200)
        #expect(page["lang"] as? String == "zh-CN")
        #expect(code == 0 && (page["cspViolations"] as? [Any])?.isEmpty == true, "the wall works under its CSP: \(page)")
        let tiles = page["tiles"] as? [[String: Any]] ?? []
        #expect(tiles.map { $0["site"] as? String } == ["site-a", "site-b"], "\(page)")
        for tile in tiles {
            #expect(tile["live"] as? Bool == true && (tile["width"] as? Int ?? 0) == 640, "\(tile)")
            #expect((tile["time"] as? Double ?? 0) > 0.5 && (tile["colours"] as? Int ?? 0) > 1, "the tile plays a picture: \(tile)")
            #expect(tile["muted"] as? Bool == true)
        }
        #expect((tiles.first?["text"] as? String)?.contains("东山教学点") == true)
        #expect(await relay.stop() == 0)
    }

    @Test func aReturnFeedGetsTheLadderOnlyWhenTheConfigAsksForIt() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: "transcode:\n  returnFeeds: true\n"))
        let feed = try MediaTools.publish(to: relay.url("math~site-a"), seconds: 40, videoKbps: MediaTools.ladderKbps)
        defer { feed.signal(SIGKILL) }
        let playlist = try await waitUntil(timeout: .seconds(60), every: .milliseconds(500)) {
            try await Curl.call("http://127.0.0.1:\(relay.httpPort)/hls/live/math~site-a/index.m3u8").body
        } until: {
            $0.contains("360p")
        }
        #expect(playlist.contains("360p"), "transcode.returnFeeds: true gives a return feed the ladder: \(playlist)")
        #expect(await relay.stop() == 0)
    }
}
