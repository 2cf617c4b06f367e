import Foundation
import ProcessTestSupport
import Testing

/// Graceful shutdown under load: the listeners stop accepting, the core ends every stream once,
/// every player is told, every thread is joined.
@Suite(.serialized)
struct ShutdownTests {
    /// Players connected now, every protocol and rendition (`relay_players` summed).
    static func players(_ relay: RelaydServer) async throws -> Double {
        try await relay.metricsText().split(separator: "\n")
            .filter { $0.hasPrefix("relay_players{") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }
            .reduce(0, +)
    }

    @Test func sigtermWithFourTranscodedClassesAnd250PlayersExitsCleanlyWithinFiveSeconds() async throws {
        let dir = try makeTemporaryDirectory("shutdown-load")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: "limits:\n  maxConnectionsPerIP: 1000\n"))
        let classes = ["c1", "c2", "c3", "c4"]
        var publishers: [ChildProcess] = []
        for name in classes { publishers.append(try MediaTools.publish(to: relay.url(name), seconds: 90)) }
        defer { for publisher in publishers { publisher.signal(SIGKILL) } }
        let transcoding = await relay.child.waitForOutput(timeout: .seconds(30)) {
            $0.components(separatedBy: "transcoder started").count - 1 >= classes.count
        }
        #expect(transcoding, "four classes are transcoded: \(relay.child.stderr.suffix(2000))")

        // 200 RTMP players (50 a class, each told by relay-loadtest to read on) and 50 SRT players.
        var loads: [(ChildProcess, String)] = []
        for name in classes {
            let report = dir + "/\(name).json"
            loads.append(
                (
                    try ChildProcess(
                        LoadTestSmokeTests.loadTestPath,
                        [
                            "--url", relay.url(name), "--players", "50", "--connect-rate", "200", "--warmup", "0", "--duration", "12",
                            "--json", report,
                        ]), report
                ))
        }
        let srtReport = dir + "/srt.json"
        loads.append(
            (
                try ChildProcess(
                    LoadTestSmokeTests.loadTestPath,
                    [
                        "--url", relay.srtURL("c1", mode: "request"), "--publish-url", relay.url("c1"), "--players", "50", "--connect-rate", "200",
                        "--warmup", "0",
                        "--duration", "12", "--json", srtReport,
                    ]), srtReport
            ))
        defer { for (load, _) in loads { load.signal(SIGKILL) } }
        let connected = try await waitUntil(timeout: .seconds(30), every: .milliseconds(250)) {
            try await Self.players(relay)
        } until: {
            $0 >= 250
        }
        let seen = try await relay.metricsText().split(separator: "\n").filter { $0.contains("players") }
        #expect(connected >= 250, "250 players connected, \(connected) seen: \(seen)")
        // Under load: the lessons flow to the players (a few MB more sent).
        let sentBefore = try await relay.metric("relay_output_bytes")
        try await waitUntil("media sent to the players") { try await relay.metric("relay_output_bytes") > sentBefore + 4_000_000 }

        let start = ContinuousClock.now
        relay.child.signal(SIGTERM)
        let code = await relay.child.wait(timeout: .seconds(20))
        let took = ContinuousClock.now - start
        print("shutdown: exit \(String(describing: code)) after \(took) with 4 transcoded classes, \(Int(connected)) players")
        #expect(code == 0, "\(relay.child.stderr.suffix(3000))")
        #expect(took < .seconds(5), "stopped in \(took)")
        let log = relay.child.stderr
        #expect(log.contains("threadsLeft=0"), "every thread joined: \(log.suffix(1500))")
        #expect(!log.contains("threads still running"))
        #expect(log.components(separatedBy: "ending every stream").count == 2, "the streams are ended once, by the core")
        #expect(log.components(separatedBy: "transcoder stopped").count - 1 >= classes.count, "every transcoder ended its rungs")

        for (load, report) in loads {
            #expect(await load.wait(timeout: .seconds(40)) != nil, "relay-loadtest ends: \(load.stderr)")
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any],
                "\(load.stderr)"
            )
            #expect(json["connected"] as? Int == 50, "\(report): \(json)")
            #expect(json["disconnects"] as? Int == 50, "every player's connection ended: \(report): \(json)")
            if report != srtReport {
                #expect(json["toldEnded"] as? Int == 50, "every RTMP player was told the stream ended: \(report): \(json)")
            }
        }
    }
}
