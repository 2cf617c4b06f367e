import Foundation
import ProcessTestSupport
import Testing

/// Pulls between nodes carry a credential good only for that pull, never the admin token: a row
/// written into the nodes table by anyone else makes a node connect to a host of the writer's
/// choosing, which then learns nothing that works elsewhere. With `cluster.tls` the pulls go over
/// RTMPS to a node whose certificate the configured trust roots vouch for.
@Suite(.serialized)
struct ClusterCredentialTests {
    /// Two nodes in timetable mode on `postgres`, sharing `token`.
    static func timetableNodes(on postgres: PostgresServer, token: String) async throws -> (RelaydServer, RelaydServer) {
        func config(_ id: String) -> String {
            "auth:\n  mode: timetable\ndatabase: \(postgres.url)\ncluster:\n  nodeId: \(id)\ntranscode:\n  enabled: false\nlog:\n  level: info\n"
        }
        let shared = ["RELAYD_ADMIN_TOKEN": token]
        return (
            try await RelaydServer(config: config("node-a"), environment: shared),
            try await RelaydServer(config: config("node-b"), environment: shared)
        )
    }

    static func contains(_ haystack: [UInt8], _ needle: String) -> Bool {
        let bytes = Array(needle.utf8)
        guard !bytes.isEmpty, haystack.count >= bytes.count else { return false }
        return (0...(haystack.count - bytes.count)).contains { start in haystack[start..<(start + bytes.count)].elementsEqual(bytes) }
    }

    /// Waits up to `seconds` for `condition`, checking every 100 ms.
    static func wait(seconds: Double, until condition: () -> Bool) async throws -> Bool {
        try await waitUntil(timeout: .milliseconds(Int64(seconds * 1000))) {
            condition()
        }
    }

    /// Whether ffprobe finds a video stream at `url` within 20 s.
    static func plays(_ url: String) async throws -> (Bool, String) {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-rw_timeout", "15000000", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url,
            ], timeout: .seconds(20))
        return (code == 0 && out.contains("h264"), err)
    }

    @Test func aForgedNodeRowGetsACredentialThatOpensNothingElsewhere() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let token = "cluster-\(UUID().uuidString)"
        let (a, b) = try await Self.timetableNodes(on: postgres, token: token)
        let keys = try await OneClassTimetable.make(on: a, classId: "math", title: "t", bandwidthKbps: 4000)
        let (central, site) = (try #require(keys["central"]), try #require(keys["site-a"]))
        let origin = try await FakeRTMPOrigin()

        // The lesson is published on B, its real holder.
        let publisher = try MediaTools.publish(to: b.url("math?key=\(central)"), seconds: 90)
        defer { publisher.signal(SIGKILL) }
        _ = try await ClusterNodesTests.waitForNodes(a, seconds: 15) { ($0["node-b"]?["streams"] as? [String]) == ["live/math"] }

        // Someone who can write the nodes table adds a node, alive for two minutes, that claims
        // the lesson and points at their own RTMP server.
        let seen = Int64((Date().timeIntervalSince1970 + 120) * 1000)
        try postgres.sql(
            "INSERT INTO nodes (id, advertise_host, last_seen, streams, ports) VALUES ('node-evil', '127.0.0.1', \(seen), 'live/math', 'rtmp=\(origin.port)')"
        )
        // A player on A asks for the lesson: A plays it from the forged node.
        let player = try RawRTMPClient(port: a.rtmpPort)
        try player.handshake()
        try player.play(app: "live", stream: "math?key=\(site)")
        #expect(try await Self.wait(seconds: 15) { !origin.record.plays.isEmpty }, "A pulled from the forged row: \(a.child.stderr.suffix(2000))")
        let name = try #require(origin.record.plays.first)
        let bytes = origin.record.bytes
        print(
            "cluster: the forged origin received \(bytes.count) bytes over \(origin.record.connections) connections; play name \(name.count) characters"
        )

        // What A sent: the class and a pull credential, never the admin token.
        #expect(!Self.contains(bytes, token), "the admin token reached the forged node")
        #expect(name.hasPrefix("math?key=pull.node-a."), "a pull credential of node-a: \(name.prefix(24))…")
        let credential = String(name.dropFirst("math?key=".count))
        #expect(credential.count < 100 && credential.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) })

        // Presented to B, which holds the lesson, it plays nothing; nor does the admin token as a
        // key; the site's own key does (the lesson is there).
        let withCredential = try await Self.plays(b.url("math?key=\(credential)"))
        #expect(!withCredential.0, "the forged node's credential plays on B")
        let withToken = try await Self.plays(b.url("math?key=\(token)"))
        #expect(!withToken.0, "the admin token is a play key on B")
        let withSiteKey = try await Self.plays(b.url("math?key=\(site)"))
        #expect(withSiteKey.0, "the lesson plays on B with the site's key: \(withSiteKey.1)")
        #expect(b.child.stderr.contains("node pull credential refused") && b.child.stderr.contains("bad_signature"), "\(b.child.stderr.suffix(2000))")
        // It opens nothing in the API of either node.
        for relay in [a, b] {
            for path in ["/schools", "/nodes", "/classes", "/recordings"] {
                let reply = try await Curl.call(relay.apiBase + path, token: credential)
                #expect(reply.status == 401, "\(path) with the credential as the bearer: \(reply.status)")
            }
        }
        // Never logged, on either node.
        for relay in [a, b] {
            #expect(!relay.child.stderr.contains(credential) && !relay.child.stdout.contains(credential), "the credential is logged")
            #expect(!relay.child.stderr.contains(token), "the admin token is logged")
        }

        // The forged row removed, A pulls the lesson from B with a credential B admits (timetable
        // mode: nothing else would let A play there), and A's players get it.
        try postgres.sql("DELETE FROM nodes WHERE id = 'node-evil'")
        let onA = try await Self.plays(a.url("math?key=\(site)"))
        #expect(onA.0, "A plays the lesson pulled from B: \(onA.1) \(a.child.stderr.suffix(2000))")
        #expect(b.child.stderr.contains("node pull admitted"), "\(b.child.stderr.suffix(2000))")
        await origin.stop()
        #expect(await a.stop() == 0)
        #expect(await b.stop() == 0)
    }

    /// `cluster.tls`: B pulls A's lesson from A's RTMPS port, checking A's certificate against
    /// the configured trust root; a node trusting another certificate pulls nothing.
    @Test func withClusterTLSNodesPullOverRTMPSFromACertificateTheyTrust() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let dir = try makeTemporaryDirectory("cluster-tls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["node", "other"] {
            let (made, _, madeErr) = try await runTool(
                "openssl",
                [
                    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", "\(dir)/\(name)-key.pem", "-out", "\(dir)/\(name)-cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                ])
            #expect(made == 0, "openssl: \(madeErr)")
        }
        let shared = ["RELAYD_ADMIN_TOKEN": "cluster-\(UUID().uuidString)"]
        func config(_ id: String, trust: String = "") -> String {
            RelaydServer.openConfig(
                extra: """
                    database: \(postgres.url)
                    cluster:
                      nodeId: \(id)
                      tls: true
                    \(trust.isEmpty ? "" : "  tlsCAFile: \(trust)")
                    tls:
                      certFile: \(dir)/node-cert.pem
                      keyFile: \(dir)/node-key.pem
                    rtmps:
                      port: 0
                    transcode:
                      enabled: false
                    """)
        }
        let a = try await RelaydServer(config: config("node-a"), environment: shared)
        let b = try await RelaydServer(config: config("node-b"), environment: shared)
        let c = try await RelaydServer(config: config("node-c", trust: "\(dir)/other-cert.pem"), environment: shared)
        let rtmpsA = try #require(RelaydServer.port(of: "rtmps", in: a.child.stdout))
        let publisher = try MediaTools.publish(to: a.url("math"), seconds: 60)
        defer { publisher.signal(SIGKILL) }
        _ = try await ClusterNodesTests.waitForNodes(b, seconds: 15) { ($0["node-a"]?["streams"] as? [String]) == ["live/math"] }

        let onB = try await Self.plays(b.url("math"))
        #expect(onB.0, "B plays A's lesson: \(onB.1) \(b.child.stderr.suffix(2000))")
        #expect(
            b.child.stderr.contains("host=rtmp://127.0.0.1:\(rtmpsA)/live"), "pulled from A's RTMPS port \(rtmpsA): \(b.child.stderr.suffix(2000))")
        #expect(a.child.stderr.contains("node pull admitted"))

        // C trusts another certificate: it connects, refuses A's certificate, and plays nothing.
        let player = try RawRTMPClient(port: c.rtmpPort)
        try player.handshake()
        try player.play(app: "live", stream: "math")
        #expect(try await Self.wait(seconds: 15) { c.child.stderr.contains("pull ended") }, "\(c.child.stderr.suffix(2000))")
        #expect(!c.child.stderr.contains("pull started"), "C pulled from a node whose certificate it does not trust")
        print("cluster tls: node-c refused A's certificate: \(c.child.stderr.split(separator: "\n").first { $0.contains("pull ended") } ?? "")")
        for relay in [a, b, c] { #expect(await relay.stop() == 0) }
    }

    /// `cluster.tls` with nothing to trust, or a trust file that holds no certificate: relayd
    /// does not start, and says which key.
    @Test func clusterTLSWithoutTrustRootsIsAConfigError() async throws {
        let dir = try makeTemporaryDirectory("cluster-tls-config")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "not a certificate\n".write(toFile: dir + "/empty.pem", atomically: true, encoding: .utf8)
        for (config, key) in [
            ("cluster:\n  tls: true\n", "cluster.tlsCAFile"), ("cluster:\n  tls: true\n  tlsCAFile: \(dir)/empty.pem\n", "cluster.tlsCAFile"),
            ("cluster:\n  tls: maybe\n", "cluster.tls"),
        ] {
            try config.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
            let (code, _, err) = try await runTool(
                RelaydServer.binaryPath,
                [
                    "--config", dir + "/c.yaml", "--data-dir", dir + "/var", "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0",
                    "--srt-port", "0",
                ], timeout: .seconds(10))
            #expect(code == 2, "\(config): \(err)")
            #expect(err.contains(key), "\(config): \(err)")
        }
    }
}
