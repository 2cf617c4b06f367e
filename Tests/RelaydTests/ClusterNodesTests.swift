import Foundation
import ProcessTestSupport
import Testing

/// Several relayd nodes on one PostgreSQL database: each writes its heartbeat, and
/// `GET /api/v1/nodes` on any of them lists all, alive or not, with the streams published on each.
@Suite(.serialized)
struct ClusterNodesTests {
    static func nodes(_ relay: RelaydServer) async throws -> [String: [String: Any]] {
        let reply = try await relay.api.call("GET", "/nodes")
        #expect(reply.status == 200)
        var byID: [String: [String: Any]] = [:]
        for node in reply.array { byID[node["id"] as? String ?? "?"] = node }
        return byID
    }

    /// Polls `relay`'s node list until `condition` holds (for `seconds` of polls, each taking its own
    /// time too: up to twice that); returns the last list.
    static func waitForNodes(
        _ relay: RelaydServer, seconds: Int, until condition: ([String: [String: Any]]) -> Bool
    ) async throws -> [String: [String: Any]] {
        try await waitUntil(timeout: .seconds(seconds * 2), every: .milliseconds(250)) {
            try await Self.nodes(relay)
        } until: {
            condition($0)
        }
    }

    /// Two nodes `node-a` and `node-b` in timetable mode on `postgres`, sharing the admin token, transcoding nothing.
    static func timetableNodes(on postgres: PostgresServer) async throws -> (RelaydServer, RelaydServer) {
        let shared = ["RELAYD_ADMIN_TOKEN": "cluster-\(UUID().uuidString)"]
        func config(_ id: String) -> String {
            "auth:\n  mode: timetable\ndatabase: \(postgres.url)\ncluster:\n  nodeId: \(id)\ntranscode:\n  enabled: false\n"
        }
        return (
            try await RelaydServer(config: config("node-a"), environment: shared),
            try await RelaydServer(config: config("node-b"), environment: shared)
        )
    }

    @Test func nodesSharingADatabaseListEachOtherWithTheirStreams() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        func config(_ id: String) -> String {
            RelaydServer.openConfig(extra: "database: \(postgres.url)\ncluster:\n  nodeId: \(id)\n  advertiseHost: 127.0.0.1\n")
        }
        let a = try await RelaydServer(config: config("node-a"))
        let b = try await RelaydServer(config: config("node-b"))
        let publisher = try MediaTools.publish(to: a.url("math"), seconds: 60)
        defer { publisher.signal(SIGKILL) }

        // b sees a alive, with the stream published on a; its own row has none.
        var nodes = try await Self.waitForNodes(b, seconds: 10) { nodes in
            (nodes["node-a"]?["streams"] as? [String]) == ["live/math"] && nodes["node-b"]?["alive"] as? Bool == true
        }
        #expect(nodes["node-a"]?["alive"] as? Bool == true, "\(nodes)")
        #expect(nodes["node-a"]?["streams"] as? [String] == ["live/math"], "only the source, not its rungs: \(nodes)")
        #expect(nodes["node-a"]?["advertiseHost"] as? String == "127.0.0.1")
        #expect(nodes["node-b"]?["streams"] as? [String] == [])
        #expect((nodes["node-a"]?["lastSeen"] as? String)?.hasSuffix("Z") == true)

        // A node that dies stops writing: seen not alive within the 6 s window (+ a heartbeat).
        a.child.signal(SIGKILL)
        _ = await a.child.wait(timeout: .seconds(10))
        nodes = try await Self.waitForNodes(b, seconds: 12) { $0["node-a"]?["alive"] as? Bool == false }
        #expect(nodes["node-a"]?["alive"] as? Bool == false, "a killed node is seen gone: \(nodes)")

        // A node stopped gracefully says so at once.
        #expect(await b.stop() == 0)
        let c = try await RelaydServer(config: config("node-c"))
        nodes = try await Self.nodes(c)
        #expect(nodes["node-b"]?["alive"] as? Bool == false && nodes["node-b"]?["streams"] as? [String] == [], "\(nodes)")
        #expect(Set(nodes.keys) == ["node-a", "node-b", "node-c"])
        #expect(await c.stop() == 0)
    }

    @Test func aSingleRelayListsItself() async throws {
        let relay = try await RelaydServer()
        let nodes = try await Self.waitForNodes(relay, seconds: 5) { $0.count == 1 }
        #expect(nodes.count == 1 && nodes.values.first?["alive"] as? Bool == true, "\(nodes)")
        #expect(nodes.keys.first == ProcessInfo.processInfo.hostName, "the host name by default")
        #expect(await relay.stop() == 0)
    }

    /// Two nodes `node-a` and `node-b` in open mode on `postgres`, sharing the admin token, with `extra` (default: transcoding nothing).
    static func openNodes(on postgres: PostgresServer, extra: String = "transcode:\n  enabled: false\n") async throws -> (RelaydServer, RelaydServer)
    {
        let shared = ["RELAYD_ADMIN_TOKEN": "cluster-\(UUID().uuidString)"]
        func config(_ id: String) -> String {
            RelaydServer.openConfig(extra: "database: \(postgres.url)\ncluster:\n  nodeId: \(id)\n" + extra)
        }
        return (
            try await RelaydServer(config: config("node-a"), environment: shared),
            try await RelaydServer(config: config("node-b"), environment: shared)
        )
    }

    @Test func playersOnAnotherNodeShareOnePullAndContinueWhenThePublisherMoves() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let (a, b) = try await Self.openNodes(on: postgres)
        let publisher = try MediaTools.publish(to: a.url("math"), seconds: 60)
        defer { publisher.signal(SIGKILL) }
        _ = try await Self.waitForNodes(b, seconds: 10) { ($0["node-a"]?["streams"] as? [String]) == ["live/math"] }

        // Three players on b: b plays the class from a once.
        let dir = try makeTemporaryDirectory("cluster")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let players = try (0..<3).map { try MediaTools.record(b.url("math"), to: dir + "/p\($0).flv", seconds: 28) }
        defer { for player in players { player.signal(SIGKILL) } }
        #expect(await b.child.waitForOutput(timeout: .seconds(10)) { $0.contains("pull started") }, "\(b.child.stderr)")
        // All three play what b pulled (had each pulled on its own, a would have served their plays by then).
        try await b.waitForPlayers(3)
        try await waitUntil("b's pull carrying the lesson") { try await b.metric("relay_cluster_pull_bytes_total") > 100_000 }
        let plays = a.child.stderr.components(separatedBy: "play started").count - 1
        #expect(plays == 1, "one pull for three players: a served \(plays) plays")
        let nodes = try await Self.nodes(b)
        #expect(nodes["node-b"]?["streams"] as? [String] == [], "a pulled stream is not b's to announce: \(nodes)")
        // What b pulled plays over every protocol, from b's own registry.
        let (srtCode, srtErrors) = try await SRTTools.decode(b.srtURL("math", mode: "request"), seconds: 2)
        #expect(srtCode == 0, "SRT on b: \(srtErrors)")
        let hls = try await Curl.call(b.server + "/hls/live/math/index.m3u8")
        #expect(hls.status == 200 && hls.body.contains("#EXT-X-STREAM-INF"), "HLS on b: \(hls.status) \(hls.body)")
        #expect(try await b.metric("relay_cluster_pulls_active") == 1)
        #expect(try await b.metric("relay_cluster_pull_bytes_total") > 100_000)
        // 47 more players on b (50 in all) are still that one play on a.
        let (load, loadOut) = try await LoadTestSmokeTests.loadTest(
            [
                "--url", b.url("math"), "--players", "47", "--connect-rate", "100", "--warmup", "1", "--duration", "2",
            ], in: dir, timeout: .seconds(30))
        #expect(load["gotKeyframe"] as? Int == 47, "every player on b plays what b pulled: \(loadOut)")
        #expect(a.child.stderr.components(separatedBy: "play started").count - 1 == 1, "still one play on a for 50 players on b")
        // WHEP on b: relay-loadtest publishes a second lesson to a and plays it from b's WHEP.
        let flv = try await LoadTestSmokeTests.makeFLV(in: dir)
        let (whep, whepOut) = try await LoadTestSmokeTests.loadTest(
            [
                "--url", "\(b.server)/whep/live/webrtc", "--publish-url", a.url("webrtc"), "--flv", flv, "--players", "2",
                "--connect-rate", "50", "--warmup", "1", "--duration", "3", "--lead", "4",
            ], in: dir, timeout: .seconds(40))
        #expect(whep["gotKeyframe"] as? Int == 2 && whep["disconnects"] as? Int == 0, "WHEP on b of a lesson published on a: \(whepOut)")

        // The publisher's node dies; the publisher reconnects to b; b's players continue.
        a.child.signal(SIGKILL)
        publisher.signal(SIGKILL)
        let moved = try MediaTools.publish(to: b.url("math"), seconds: 40)
        defer { moved.signal(SIGKILL) }
        for (index, player) in players.enumerated() {
            #expect(await player.wait(timeout: .seconds(60)) == 0, "player \(index): \(player.stderr)")
            let packets = try await MediaTools.packets(of: dir + "/p\(index).flv")
            let video = packets.filter(\.isVideo)
            let span = (video.last?.dtsMillis ?? 0) - (video.first?.dtsMillis ?? 0)
            let gaps = MediaTools.dtsGaps(video)
            #expect(
                video.count > 500 && span > 25_000,
                "player \(index) got its 28 s across the move: \(video.count) pictures over \(Int(span)) ms, longest gap \(Int(gaps.max() ?? 0)) ms; b's log: \(b.child.stderr.suffix(3000))"
            )
        }
        #expect(await b.stop() == 0)
    }

    /// Players already waiting on B when the lesson is published on A: B learns of the publish at
    /// once (A's heartbeat notices it within 0.2 s and announces it), pulls, and its players get
    /// their first frame within 3 s of the publish (the pull latency, printed).
    @Test func playersWaitingOnBGetTheLessonSoonAfterItIsPublishedOnA() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let (a, b) = try await Self.openNodes(on: postgres)
        let dir = try makeTemporaryDirectory("cluster-late")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let connectedAt = Date()
        let load = try ChildProcess(
            LoadTestSmokeTests.loadTestPath,
            [
                "--url", b.url("late"), "--players", "3", "--connect-rate", "100", "--warmup", "7", "--duration", "2",
                "--json", dir + "/late.json",
            ])
        defer { load.signal(SIGKILL) }
        try await b.waitForPlayers(3)  // waiting on b before the publish
        let publishedAt = Date()
        let publisher = try MediaTools.publish(to: a.url("late"), seconds: 20)
        defer { publisher.signal(SIGKILL) }
        #expect(await load.wait(timeout: .seconds(40)) == 0, "\(load.stdout) \(load.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/late.json"))) as? [String: Any]
        )
        #expect(report["gotKeyframe"] as? Int == 3, "\(report)")
        let firstFrame = (report["firstKeyframeP50Ms"] as? Double ?? .infinity) / 1000
        let pull = firstFrame - publishedAt.timeIntervalSince(connectedAt)
        print("cluster: players waiting on b got the first frame \(String(format: "%.2f", pull)) s after the publish on a (p50)")
        #expect(pull < 3, "first frame on b \(pull) s after the publish on a")
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }

    @Test func overlappingClassesCreatedOnTwoNodesAtOnceAreNeverBothStored() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let (a, b) = try await Self.timetableNodes(on: postgres)
        for (id, role) in [("central", "central"), ("site", "site")] {
            let reply = try await a.api.call("POST", "/schools", ["id": id, "name": id, "role": role, "bandwidthKbps": 4000])
            #expect(reply.status == 201, "\(reply.object)")
        }
        #expect(try await a.api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": "site", "program": "dedicated"]).status == 201)
        #expect(try await b.api.call("GET", "/schools/site").status == 200, "what A stored, B reads")

        // 60 slots; in each, A and B create a class of the same central school at the same time.
        let base = Date().addingTimeInterval(86_400)
        let (apiA, apiB) = (a.api, b.api)
        let results = try await withThrowingTaskGroup(of: (Int, Int, Int).self) { group in
            for slot in 0..<60 {
                group.addTask {
                    let starts = rfc3339(base.addingTimeInterval(Double(slot) * 3600))
                    let ends = rfc3339(base.addingTimeInterval(Double(slot) * 3600 + 2400))
                    func body(_ node: String) -> [String: Any] {
                        [
                            "id": "s\(slot)-\(node)", "title": "t", "program": "dedicated", "centralSchoolId": "central",
                            "siteIds": ["site"], "startsAt": starts, "endsAt": ends,
                        ]
                    }
                    async let fromA = apiA.call("POST", "/classes", body("a"))
                    async let fromB = apiB.call("POST", "/classes", body("b"))
                    return (slot, try await fromA.status, try await fromB.status)
                }
            }
            var all: [(Int, Int, Int)] = []
            for try await result in group { all.append(result) }
            return all
        }
        for (slot, statusA, statusB) in results {
            #expect(Set([statusA, statusB]) == [201, 409], "slot \(slot): exactly one stored, the other refused: \(statusA) \(statusB)")
        }
        let stored = try await b.api.call("GET", "/classes").array
        #expect(stored.count == 60, "one class per slot: \(stored.count)")
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }

    /// A class made through A is in B's access decisions at once (A announces the change with
    /// NOTIFY; B's own reload comes only every 10 s), three times in a row.
    @Test func aClassMadeOnOneNodeIsInTheOthersAccessDecisionsAtOnce() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let (a, b) = try await Self.timetableNodes(on: postgres)
        // b listens twice: for the timetable snapshot and for the node pulls.
        try await waitUntil(timeout: .seconds(20), every: .milliseconds(50)) {
            b.child.stderr.components(separatedBy: "listening for cluster changes").count
        } until: {
            $0 >= 3
        }
        #expect(b.child.stderr.components(separatedBy: "listening for cluster changes").count == 3, "\(b.child.stderr.suffix(3000))")

        for round in 0..<3 {
            // A central school, a site and a class of their own each round (classes at the same
            // time of one school would overlap).
            let (id, central, siteID) = ("now\(round)", "central\(round)", "site\(round)")
            #expect(try await a.api.call("POST", "/schools", ["id": central, "name": "c", "role": "central"]).status == 201)
            let site = try await a.api.call("POST", "/schools", ["id": siteID, "name": "s", "role": "site", "bandwidthKbps": 4000])
            let key = try #require(site.object["key"] as? String, "\(site.object)")
            #expect(try await a.api.call("POST", "/pairings", ["centralSchoolId": central, "siteId": siteID, "program": "dedicated"]).status == 201)
            let created = try await a.api.call(
                "POST", "/classes",
                [
                    "id": id, "title": "t", "program": "dedicated", "centralSchoolId": central, "siteIds": [siteID],
                    "startsAt": rfc3339(Date().addingTimeInterval(-60)), "endsAt": rfc3339(Date().addingTimeInterval(2400)),
                ])
            #expect(created.status == 201, "\(created.object)")
            let start = ContinuousClock.now
            // Allowed: the key passes and the (deliberately wrong) body type is what is refused (415);
            // a class B does not know yet is 404.
            // Asked in process (a child's pipes can take up to 2 s to report their end, which
            // is not the relay's time): the site's key as the bearer, a JSON body.
            let asSite = RelayAPI(base: b.server, token: key)
            let status = try await waitUntil(timeout: .seconds(5), every: .milliseconds(50)) {
                try await asSite.call("POST", "/whep/live/\(id)", ["offer": "none"]).status
            } until: {
                $0 == 415
            }
            let took = ContinuousClock.now - start
            print("cluster: class \(id) made on a, in b's access decisions after \(took)")
            #expect(status == 415, "b knows the class: \(status)")
            #expect(took < .seconds(2), "at once, not at b's next 10 s reload: \(took) \(b.child.stderr.suffix(3000))")
        }
        #expect(try await b.metric("relay_cluster_notifications_received_total") >= 3)
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }

    @Test func anEdgePullsTheRungItsPlayersWantAndTranscodesNothing() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let (a, b) = try await Self.openNodes(on: postgres, extra: TranscodeTests.transcodeConfig)
        let publisher = try MediaTools.publish(to: a.url("math"), seconds: 60, size: "1280x720", videoKbps: MediaTools.ladderKbps)
        defer { publisher.signal(SIGKILL) }
        _ = try await Self.waitForNodes(b, seconds: 10) { ($0["node-a"]?["streams"] as? [String]) == ["live/math"] }
        var streams = ""
        for _ in 0..<10 where !streams.contains("360") {
            (_, streams, _) = try await runTool(
                "ffprobe",
                [
                    "-v", "error", "-select_streams", "v", "-show_entries", "stream=height", "-of", "csv=p=0", b.url("math_360p"),
                ], timeout: .seconds(20))
        }
        #expect(streams.contains("360"), "b plays a's 360p rung: \(streams)")
        #expect(b.child.stderr.contains("pull started") && b.child.stderr.contains("live/math_360p"), "the rung is pulled")
        #expect(!b.child.stderr.contains("transcoder started"), "the edge transcodes nothing")
        #expect(a.child.stderr.contains("transcoder started"), "the origin transcodes")
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }
}
