import Foundation
import ProcessTestSupport
import Testing

/// Three relayd nodes in three network namespaces on one switch (a bridge), sharing one
/// PostgreSQL: the link between two of them is cut while a lesson is published on the first and
/// played through the other two. The nodes that can still reach each other keep serving, every
/// node keeps taking writes (the database is reachable from all), and after the link heals every
/// node has everything that was stored and the cut-off node plays again.
@Suite(.serialized)
struct ClusterPartitionTests {
    struct Node {
        let child: ChildProcess
        let address: String
        let http: Int
        let rtmp: Int
        var api: RelayAPI { RelayAPI(base: "http://\(address):\(http)/api/v1", token: ClusterPartitionTests.token) }
        func url(_ stream: String) -> String { "rtmp://\(address):\(rtmp)/live/\(stream)" }
    }

    static let token = "partition-\(UUID().uuidString)"

    static func startNode(_ index: Int, hub: NamespaceHub, postgres: PostgresServer, dir: String) async throws -> Node {
        let config = RelaydServer.openConfig(
            extra: """
                database: \(postgres.url)
                cluster:
                  nodeId: node-\(index)
                  advertiseHost: \(hub.address(index))
                transcode:
                  enabled: false
                """)
        try config.write(toFile: "\(dir)/node\(index).yaml", atomically: true, encoding: .utf8)
        let child = try hub.spawn(
            index, RelaydServer.binaryPath,
            [
                "--config", "\(dir)/node\(index).yaml", "--data-dir", "\(dir)/var\(index)", "--host", "0.0.0.0",
                "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0", "--srt-port", "0",
            ], environment: ["RELAYD_ADMIN_TOKEN": token])
        guard await child.waitForOutput(timeout: .seconds(30), { $0.contains("listening rtmp=") && $0.contains("listening http=") }),
            let http = RelaydServer.port(of: "http", in: child.stdout), let rtmp = RelaydServer.port(of: "rtmp", in: child.stdout)
        else {
            child.signal(SIGKILL)
            throw TestFailure("node \(index) did not start: \(child.stderr)")
        }
        return Node(child: child, address: hub.address(index), http: http, rtmp: rtmp)
    }

    /// Plays `url` with relay-loadtest's players for `seconds` (a report).
    static func players(_ url: String, count: Int, seconds: Int, dir: String, name: String) throws -> ChildProcess {
        try ChildProcess(
            LoadTestSmokeTests.loadTestPath,
            [
                "--url", url, "--players", "\(count)", "--connect-rate", "100", "--warmup", "1", "--duration", "\(seconds)",
                "--json", "\(dir)/\(name).json",
            ])
    }

    /// The plays `node` has logged.
    static func plays(on node: Node) -> Int { node.child.stderr.components(separatedBy: "play started").count - 1 }

    static func report(_ dir: String, _ name: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).json"))) as? [String: Any])
    }

    /// Whether namespace `index` gets an answer from `node`'s HTTP listener within 2 s.
    static func reaches(_ hub: NamespaceHub, from index: Int, _ node: Node) async throws -> Bool {
        let probe = try hub.spawn(index, "curl", ["-s", "-o", "/dev/null", "--max-time", "2", "http://\(node.address):\(node.http)/healthz"])
        return await probe.wait(timeout: .seconds(10)) == 0
    }

    static func classBody(_ id: String, hour: Int) -> [String: Any] {
        let starts = Date().addingTimeInterval(86_400 + Double(hour) * 3600)
        return [
            "id": id, "title": "t", "program": "dedicated", "centralSchoolId": "central", "siteIds": ["site"],
            "startsAt": rfc3339(starts), "endsAt": rfc3339(starts.addingTimeInterval(2400)),
        ]
    }

    @Test func aCutLinkBetweenTwoNodesStopsNeitherTheOthersNorAnyWrite() async throws {
        #expect(getuid() == 0, "needs root for network namespaces")
        try await NamespaceHub.run(count: 3) { hub in try await partition(hub) }
    }

    private func partition(_ hub: NamespaceHub) async throws {
        let (started, pgWhy) = PostgresServer.start(alsoListeningOn: hub.hostAddress)
        let postgres = try #require(started, "PostgreSQL is needed here: \(pgWhy)")
        defer { postgres.stop() }
        let dir = try makeTemporaryDirectory("partition")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var children: [ChildProcess] = []
        defer { for child in children { child.signal(SIGKILL) } }

        var nodes: [Node] = []
        for index in 0..<3 { nodes.append(try await Self.startNode(index, hub: hub, postgres: postgres, dir: dir)) }
        children += nodes.map(\.child)
        let (a, b, c) = (nodes[0], nodes[1], nodes[2])
        #expect(try await a.api.call("POST", "/schools", ["id": "central", "name": "c", "role": "central"]).status == 201)
        #expect(try await b.api.call("POST", "/schools", ["id": "site", "name": "s", "role": "site", "bandwidthKbps": 4000]).status == 201)
        #expect(try await c.api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": "site", "program": "dedicated"]).status == 201)

        // The lesson on A, played on B and C (each pulls it from A).
        let publisher = try MediaTools.publish(to: a.url("math"), seconds: 90)
        children.append(publisher)
        for node in [b, c] {
            try await waitUntil("node \(node.address) knowing the lesson on node-0") {
                try await node.api.call("GET", "/nodes").array.contains {
                    $0["id"] as? String == "node-0" && ($0["streams"] as? [String]) == ["live/math"]
                }
            }
        }
        for (node, name) in [(b, "b-before"), (c, "c-before")] {
            let (load, out) = try await LoadTestSmokeTests.loadTest(
                ["--url", node.url("math"), "--players", "3", "--connect-rate", "100", "--warmup", "1", "--duration", "2"], in: dir,
                timeout: .seconds(30)
            )
            #expect(load["gotKeyframe"] as? Int == 3, "\(name): \(out)")
        }

        // Players on A and B through the cut; the cut between A and C.
        let playsBefore = [a, b].map { Self.plays(on: $0) }
        let onA = try Self.players(a.url("math"), count: 5, seconds: 16, dir: dir, name: "a-through")
        let onB = try Self.players(b.url("math"), count: 5, seconds: 16, dir: dir, name: "b-through")
        children += [onA, onB]
        try await waitUntil("the five players on A and on B playing") {
            Self.plays(on: a) >= playsBefore[0] + 5 && Self.plays(on: b) >= playsBefore[1] + 5
        }
        try await hub.cut(0, 2)
        print("partition: link between node-0 and node-2 cut at \(Date())")
        #expect(try await Self.reaches(hub, from: 2, a) == false, "node-2 cannot reach node-0")
        #expect(try await Self.reaches(hub, from: 2, b) == true, "node-2 still reaches node-1")

        // Writes on every node while the link is down: all stored.
        for (index, node) in nodes.enumerated() {
            let reply = try await node.api.call("POST", "/classes", Self.classBody("during-\(index)", hour: index))
            #expect(reply.status == 201, "node \(index) takes writes while cut off from a peer: \(reply.object)")
        }
        #expect(await onA.wait(timeout: .seconds(40)) == 0)
        #expect(await onB.wait(timeout: .seconds(40)) == 0)
        for name in ["a-through", "b-through"] {
            let report = try Self.report(dir, name)
            #expect(report["gotKeyframe"] as? Int == 5 && report["disconnects"] as? Int == 0, "\(name) kept playing: \(report)")
            #expect(report["stalls"] as? Int == 0, "\(name) did not stall through the cut: \(report)")
        }

        // Healed: every node reads every class, and C plays the lesson again.
        try await hub.heal(0)
        print("partition: healed at \(Date())")
        #expect(try await Self.reaches(hub, from: 2, a) == true, "healed")
        for (index, node) in nodes.enumerated() {
            let ids = Set(try await node.api.call("GET", "/classes").array.compactMap { $0["id"] as? String })
            #expect(ids.isSuperset(of: ["during-0", "during-1", "during-2"]), "node \(index) has what every node stored: \(ids)")
        }
        let replayed = try await waitUntil(timeout: .seconds(90), every: .seconds(2)) {
            let (load, _) = try await LoadTestSmokeTests.loadTest(
                ["--url", c.url("math"), "--players", "2", "--connect-rate", "100", "--warmup", "1", "--duration", "2"], in: dir,
                timeout: .seconds(30)
            )
            return load["gotKeyframe"] as? Int == 2
        }
        #expect(replayed, "node-2 plays the lesson again once the link is back: \(c.child.stderr.suffix(3000))")
        for node in nodes { node.child.signal(SIGTERM) }
        for (index, node) in nodes.enumerated() {
            #expect(await node.child.wait(timeout: .seconds(15)) == 0, "node \(index) stops cleanly: \(node.child.stderr.suffix(2000))")
        }
    }
}
