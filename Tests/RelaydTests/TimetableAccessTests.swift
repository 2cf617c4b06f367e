import Foundation
import ProcessTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The timetable decides who publishes and plays (auth.mode: timetable), end to end.
@Suite(.serialized)
struct TimetableAccessTests {
    @Test func onlyTheRightKeysAtTheRightTimePublishAndPlay() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n  windowMinutes: 15\npublisher:\n  graceSeconds: 2\n")
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, role) in [("central", "central"), ("site-a", "site"), ("site-b", "site"), ("stranger", "site")] {
            var body: [String: Any] = ["id": id, "name": id, "role": role]
            if role == "site" { body["bandwidthKbps"] = id == "site-a" ? 8000 : 1500 }
            let r = try await api.call("POST", "/schools", body)
            #expect(r.status == 201)
            keys[id] = r.object["key"] as? String
        }
        for site in ["site-a", "site-b"] {
            #expect(try await api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": site, "program": "dedicated"]).status == 201)
        }
        let now = Date()
        #expect(
            try await api.call(
                "POST", "/classes",
                [
                    "id": "math", "title": "数学", "program": "dedicated", "centralSchoolId": "central",
                    "startsAt": rfc3339(now.addingTimeInterval(-60)), "endsAt": rfc3339(now.addingTimeInterval(3600)),
                    "siteIds": ["site-a", "site-b"],
                ]
            ).status == 201)
        #expect(
            try await api.call(
                "POST", "/classes",
                [
                    "id": "later", "title": "Later", "program": "dedicated", "centralSchoolId": "central",
                    "startsAt": rfc3339(now.addingTimeInterval(3 * 3600)), "endsAt": rfc3339(now.addingTimeInterval(4 * 3600)),
                    "siteIds": ["site-a"],
                ]
            ).status == 201)

        // The central key publishes its class.
        let publisher = try MediaTools.publish(to: relay.url("math?key=\(keys["central"]!)"), seconds: 20)
        try await relay.waitForStreamsLive()
        #expect(publisher.isRunning, "publisher refused: \(publisher.stderr)")

        // A site of the class plays it.
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", relay.url("math?key=\(keys["site-a"]!)"),
            ], timeout: .seconds(20))
        #expect(code == 0, "site key must play: \(err)")
        #expect(out.contains("h264"))

        // The live view shows the publisher and a viewer.
        let dir = try makeTemporaryDirectory("tt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let viewer = try MediaTools.record(relay.url("math?key=\(keys["site-b"]!)"), to: dir + "/b.flv", seconds: 6)
        let live = try await waitUntil(timeout: .seconds(20), every: .milliseconds(250)) {
            try await api.call("GET", "/classes/math/live")
        } until: {
            ($0.object["viewers"] as? [[String: Any]] ?? []).contains { $0["siteId"] as? String == "site-b" }
        }
        let viewers = live.object["viewers"] as? [[String: Any]] ?? []
        #expect(live.object["state"] as? String == "live")
        let publisherInfo = live.object["publisher"] as? [String: Any]
        #expect(publisherInfo?["protocol"] as? String == "rtmp")
        #expect(((publisherInfo?["video"] as? [String: Any])?["width"] as? Int) == 640)
        #expect(viewers.contains { $0["siteId"] as? String == "site-b" && $0["protocol"] as? String == "rtmp" })
        await viewer.wait(timeout: .seconds(15))

        // Refusals: an unpaired school's key, the central key for play, no key, a rotated-away key.
        for (name, key) in [("stranger", keys["stranger"]!), ("central", keys["central"]!), ("none", "")] {
            let (c, _, e) = try await runTool("ffprobe", ["-v", "error", relay.url("math?key=\(key)")], timeout: .seconds(15))
            #expect(c != 0, "\(name) must be refused")
            #expect(e.contains("play refused"), "\(name): \(e)")
        }
        let oldKey = keys["site-b"]!
        #expect(try await api.call("POST", "/schools/site-b/rotate-key").status == 200)
        let (rc, _, re) = try await runTool("ffprobe", ["-v", "error", relay.url("math?key=\(oldKey)")], timeout: .seconds(15))
        #expect(rc != 0, "a rotated-away key is refused at once")
        #expect(re.contains("not valid"))

        // Publishing outside the window is refused, with the reason.
        let early = try MediaTools.publish(to: relay.url("later?key=\(keys["central"]!)"), seconds: 3)
        #expect(await early.wait(timeout: .seconds(10)) != 0)
        #expect(early.stderr.contains("not open now"), "\(early.stderr)")

        // Keys never reach the log; refusals are counted in /metrics.
        let log = relay.child.stderr + relay.child.stdout
        for key in keys.values { #expect(!log.contains(key)) }
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(relay.httpPort)/metrics")!)
        let metrics = String(decoding: data, as: UTF8.self)
        #expect(metrics.contains("relay_auth_refusals_total"))
        #expect(metrics.contains("relay_streams_live"))
        #expect(!metrics.contains(keys["central"]!))

        publisher.signal(SIGTERM)
        await publisher.wait(timeout: .seconds(10))
        #expect(await relay.stop() == 0)
    }

    @Test func oversizeBodiesAreRefusedWith413AndChangeNothing() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let huge = Data(("{\"name\":\"" + String(repeating: "x", count: 300_000) + "\",\"role\":\"central\"}").utf8)
        let r = try await relay.api.call("POST", "/schools", rawBody: huge)
        #expect(r.status == 413)
        #expect(((r.object["error"] as? [String: Any])?["code"] as? String) == "too_large")
        #expect(try await relay.api.call("GET", "/schools").array.isEmpty)
        #expect(await relay.stop() == 0)
    }

    @Test func everyAcknowledgedCreateSurvivesSIGKILL() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let api = relay.api
        // A burst of creates from several tasks; SIGKILL lands in the middle of it.
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var ok: [String] = []
                    for i in 0..<400 {
                        let id = "w\(worker)-\(i)"
                        guard let r = try? await api.call("POST", "/schools", ["id": id, "name": id, "role": "central"]) else { break }
                        if r.status == 201 { ok.append(id) }
                    }
                    return ok
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(700))  // not a condition: the kill lands mid-writes
                relay.child.signal(SIGKILL)
                return []
            }
            var all: [String] = []
            for try await ids in group { all += ids }
            return all
        }
        #expect(acknowledged.count > 10, "the burst was under way when the relay died")
        await relay.child.wait(timeout: .seconds(5))

        // Restart on the same data dir: the database opens cleanly and has every acknowledged create.
        let restarted = try await RelaydServer(
            config: "auth:\n  mode: timetable\n", reuseDataDir: relay.dataDir
        )
        let stored = Set(try await restarted.api.call("GET", "/schools").array.compactMap { $0["id"] as? String })
        let missing = acknowledged.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "lost after SIGKILL: \(missing.prefix(10))")
        #expect(await restarted.stop() == 0)
        withExtendedLifetime(relay) {}  // it owns the data dir the restart reused
    }
}
