import Foundation
import ProcessTestSupport
import Testing

/// Config errors, refusals, shutdown.
@Suite(.serialized)
struct LifecycleTests {
    func runRelayd(config: String, _ extra: [String] = []) async throws -> (Int32?, String, String) {
        let dir = try makeTemporaryDirectory("cfg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try config.write(toFile: dir + "/c.yaml", atomically: true, encoding: .utf8)
        return try await runTool(
            RelaydServer.binaryPath,
            ["--config", dir + "/c.yaml", "--data-dir", dir + "/var", "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0"] + extra,
            timeout: .seconds(10))
    }

    @Test(arguments: [
        ("rtmp:\n  port: seventy\n", "rtmp.port"),
        ("rtmp:\n  port: 99999\n", "rtmp.port"),
        ("auth:\n  mode: maybe\n", "auth.mode"),
        ("publisher:\n  graceSecs: 3\n", "publisher.graceSecs"),
        ("transcode:\n  ladder:\n    - { name: 720p, width: 1280 }\n", "transcode.ladder[0].height"),
        ("transcode:\n  preset: warp\n", "transcode.preset"),
        ("transcode:\n  gopSeconds: 0\n", "transcode.gopSeconds"),
        ("player:\n  defaultBandwidthKbps: lots\n", "player.defaultBandwidthKbps"),
        ("rtmp: [1, 2\n", "YAML"),
        ("limits:\n  maxConnections: 0\n", "limits.maxConnections"),
        ("limits:\n  maxConnections: 10\n  maxConnectionsPerIP: 20\n", "limits.maxConnectionsPerIP"),
        ("limits:\n  maxMessageBytes: 100\n", "limits.maxMessageBytes"),
        ("limits:\n  authLockoutSecs: 5\n", "limits.authLockoutSecs"),
        ("srt:\n  pbkeylen: 20\n", "srt.pbkeylen"),
        ("srt:\n  passphrase: short\n", "srt.passphrase"),
        ("srt:\n  maxBandwidth: fast\n", "srt.maxBandwidth"),
        ("log:\n  format: xml\n", "log.format"),
        ("cluster:\n  upstream: [\"http://city.example/live?key=secret-key\"]\n", "cluster.upstream[0]"),
        ("reports:\n  flushSeconds: 60\n", "reports.flushSeconds"),
        ("reports:\n  keepDays: -1\n", "reports.keepDays"),
    ])
    func badConfigIsOneClearLineAndExitTwo(config: String, key: String) async throws {
        let (code, out, err) = try await runRelayd(config: config)
        #expect(code == 2)
        #expect(err.contains(key), "stderr: \(err)")
        #expect(err.split(separator: "\n").count == 1, "one line: \(err)")
        #expect(!err.contains("secret-key"), "a key in the config is not repeated: \(err)")
        #expect(!out.contains("listening"))
    }

    /// `log.format: json`: every log line is one JSON object with the level, label, message and
    /// the metadata as fields (what tests and log shippers read instead of a sentence).
    @Test func jsonLogLinesCarryTheirFieldsAsFields() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: open\nlog:\n  level: info\n  format: json\n")
        _ = try await Curl.call(relay.apiBase + "/schools", token: "wrong")
        let stopped = await relay.stop()
        #expect(stopped == 0)
        let lines = (relay.child.stdout + "\n" + relay.child.stderr).split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!objects.isEmpty && objects.count == lines.count, "every log line is JSON: \(lines.prefix(3))")
        for object in objects {
            for field in ["time", "level", "label", "message", "metadata", "source"] { #expect(object[field] != nil, "\(field) in \(object)") }
        }
        let starting = objects.first { $0["message"] as? String == "starting" }
        #expect((starting?["metadata"] as? [String: String])?["auth"] == "open", "metadata as fields: \(String(describing: starting))")
        #expect(starting?["label"] as? String == "relayd")
        #expect(
            !(relay.child.stderr + relay.child.stdout).split(separator: "\n").contains {
                $0.contains("] ") && $0.contains(" info ") && !$0.hasPrefix("{")
            },
            "no text-format log line")
    }

    /// The decoded sections' errors, word for word: unknown keys at the top, in a section and in
    /// a list item, a wrong type, a section that is no mapping, an out-of-range value.
    @Test(arguments: [
        ("colour: red\n", "key 'colour': unknown key (known: host, dataDir, database, timeZone, rtmp,"),
        ("rtmp:\n  port: 1935\n  chunk: 4096\n", "key 'rtmp.chunk': unknown key (known: port, chunkSize,"),
        (
            "transcode:\n  ladder:\n    - { name: a, width: 640, height: 360, videoKbps: 800, fps: 5 }\n",
            "key 'transcode.ladder[0].fps': unknown key (known: name, width, height, videoKbps, audioKbps)"
        ),
        ("http:\n  tls: maybe\n", "key 'http.tls': expected true or false, got 'maybe'"),
        ("rtmp: 1935\n", "key 'rtmp': expected a mapping"),
        ("- 1\n", "the config file must be a mapping of keys"),
        ("publisher:\n  graceSeconds: 4000\n", "key 'publisher.graceSeconds': must be between 0 and 3600, got 4000"),
        ("webrtc:\n  publicAddresses: [192.0.2.1, nope]\n", "key 'webrtc.publicAddresses[1]': 'nope' is not an IP address"),
        ("transcode:\n  rungPresets:\n    hd: warp\n", "key 'transcode.rungPresets.hd': must be one of ultrafast,"),
        ("webrtc:\n  tcpPort: maybe\n", "key 'webrtc.tcpPort': expected an integer, got 'maybe'"),
    ])
    func badConfigNamesItsKeyAndProblem(config: String, message: String) async throws {
        let (code, _, err) = try await runRelayd(config: config)
        #expect(code == 2)
        #expect(err.hasPrefix("relayd: ") && err.contains(message), "stderr: \(err)")
        #expect(err.split(separator: "\n").count == 1, "one line: \(err)")
    }

    /// configs/relayd.yaml, which documents every key, is accepted as shipped (flags give ports).
    @Test func shippedConfigFileStartsRelayd() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: root.appendingPathComponent("configs/relayd.yaml"), encoding: .utf8)
        let relay = try await RelaydServer(config: shipped)
        #expect(await relay.stop() == 0)
    }

    /// `webrtc.tcpPort: off` (or false) turns ICE-TCP off; a port (the default) listens.
    @Test(arguments: ["off", "false", "8189"])
    func webrtcTCPPortOffHasNoTCPListener(value: String) async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: "webrtc:\n  tcpPort: \(value)\n"))
        let tcp = await relay.child.waitForOutput(timeout: .seconds(3)) { $0.contains("listening webrtc-tcp=") }
        #expect(await relay.stop() == 0)
        #expect(tcp == (value == "8189"), "\(relay.child.stdout)")
    }

    @Test func badFlagExitsTwo() async throws {
        let (code, _, err) = try await runRelayd(config: "", ["--rtmp-port", "abc"])
        #expect(code == 2)
        #expect(err.contains("rtmp-port"))
    }

    @Test func helpPrintsTheFlagsAndExitsZero() async throws {
        let (code, out, err) = try await runTool(RelaydServer.binaryPath, ["--help"], timeout: .seconds(10))
        #expect(code == 0, "relayd --help: \(err)")
        #expect(out.contains("--config") && out.contains("--http-port"))
        #expect(!err.contains("crashed"))
    }

    @Test func aPortInUseIsOneClearLineNotACrash() async throws {
        let relay = try await RelaydServer()
        let (code, _, err) = try await runRelayd(config: "", ["--host", "127.0.0.1", "--rtmp-port", "\(relay.rtmpPort)"])
        #expect(code == 1)
        #expect(err.contains("relayd: cannot listen for rtmp on 127.0.0.1:\(relay.rtmpPort): Address already in use"), "\(err)")
        #expect(!err.contains("Backtrac") && !err.contains("crashed"))
        #expect(await relay.stop() == 0)
    }

    @Test func timetableModeRefusesWithTheReason() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let publisher = try MediaTools.publish(to: relay.url("nobody?key=abc"), seconds: 3)
        let code = await publisher.wait(timeout: .seconds(10))
        #expect(code != 0)
        #expect(publisher.stderr.contains("publish refused"), "ffmpeg said: \(publisher.stderr)")
        #expect(relay.child.stderr.contains("publish refused"))
        #expect(!relay.child.stderr.contains("abc"), "keys are never logged")
        #expect(await relay.stop() == 0)
    }

    @Test func sigtermStopsCleanlyWithinFiveSecondsDuringALesson() async throws {
        let relay = try await RelaydServer()
        let url = relay.url("shutdown")
        let publisher = try MediaTools.publish(to: url, seconds: 30)
        try await relay.waitForStreamsLive()
        let dir = try makeTemporaryDirectory("shutdown")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try MediaTools.record(url, to: dir + "/p.flv")
        try await relay.waitForPlayers(1)
        let start = ContinuousClock.now
        let code = await relay.stop()
        #expect(code == 0)
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(await player.wait(timeout: .seconds(10)) != nil, "players are ended, not left hanging")
        await publisher.wait(timeout: .seconds(10))
        let token = try String(contentsOfFile: relay.dataDir + "/var/admin.token", encoding: .utf8)
        #expect(token.trimmingCharacters(in: .whitespacesAndNewlines).count >= 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: relay.dataDir + "/var/admin.token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
