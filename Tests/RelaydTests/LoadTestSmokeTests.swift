import Foundation
import ProcessTestSupport
import Testing

/// relay-loadtest against a real relayd: one real-time FLV publisher and five players.
@Suite(.serialized)
struct LoadTestSmokeTests {
    static var loadTestPath: String {
        if let env = ProcessInfo.processInfo.environment["RELAY_LOADTEST_BIN"] { return env }
        return (RelaydServer.binaryPath as NSString).deletingLastPathComponent + "/relay-loadtest"
    }

    /// Runs relay-loadtest with `arguments` plus `--json`; its report and its text output.
    static func loadTest(_ arguments: [String], in dir: String, timeout: Duration = .seconds(40)) async throws -> (json: [String: Any], out: String) {
        let report = dir + "/report.json"
        let (status, out, stderr) = try await runTool(loadTestPath, arguments + ["--json", report], timeout: timeout)
        #expect(status == 0, "relay-loadtest: \(out) \(stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any], "\(out)"
        )
        return (json, out)
    }

    /// A short real stream: 4 s of 640x360 H.264 + AAC with 1 s GOPs, looped by the publisher.
    static func makeFLV(in dir: String, gopFrames: Int = 25) async throws -> String {
        let flv = dir + "/in.flv"
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
                "-t", "\(max(4, gopFrames / 25 * 2))", "-c:v", "libx264", "-preset", "ultrafast", "-g", "\(gopFrames)", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", flv,
            ])
        guard code == 0 else { throw TestFailure("ffmpeg: \(err)") }
        return flv
    }

    @Test func fivePlayersGetKeyframesAndLatencyIsMeasured() async throws {
        let dir = try makeTemporaryDirectory("loadtest")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let flv = try await Self.makeFLV(in: dir)

        let relay = try await RelaydServer()
        let (json, out) = try await Self.loadTest(
            [
                "--url", relay.url("smoke"), "--flv", flv, "--players", "5", "--duration", "4", "--warmup", "1",
                "--lead", "1", "--pid", "\(relay.child.pid)", "--label", "relayd",
            ], in: dir, timeout: .seconds(30))

        #expect(json["connected"] as? Int == 5, "\(out)")
        #expect(json["gotKeyframe"] as? Int == 5, "every player starts on a keyframe: \(out)")
        #expect(json["disconnects"] as? Int == 0, "\(out)")
        #expect((json["latencySamples"] as? Int ?? 0) > 100, "latency measured per message: \(out)")
        #expect(json["latencyP99Ms"] as? Double != nil, "\(out)")
        #expect((json["perPlayerMbpsMin"] as? Double ?? 0) > 0.1, "\(out)")
        #expect((json["cpuSecondsPerGB"] as? Double) != nil, "server CPU read from /proc: \(out)")
        #expect(await relay.stop() == 0)
    }

    /// `floor`: one write per player per window from a shared buffer, read by its child process;
    /// every byte sent is counted and the sender's CPU per GB is reported for each window.
    @Test func kernelFloorReportsEachWindow() async throws {
        let (status, out, stderr) = try await runTool(
            Self.loadTestPath,
            [
                "floor", "--connections", "4", "--window-ms", "20", "--window-ms", "100", "--rate-kbps", "800",
                "--duration", "1",
            ], timeout: .seconds(30))
        #expect(status == 0, "relay-loadtest floor: \(out) \(stderr)")
        let rows = out.split(separator: "\n").filter { $0.hasPrefix("| 20 |") || $0.hasPrefix("| 100 |") }
        #expect(rows.count == 2, "\(out)")
        // 800 kbit/s x 20 ms = 2000 bytes per write; 4 players x 50 windows/s = ~200 writes/s.
        let first = rows.first.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        #expect(first.count >= 6 && first[1] == "2000", "\(out)")
        #expect((Double(first.count >= 6 ? first[2] : "") ?? 0) > 150, "writes/s: \(out)")
        #expect((Double(first.count >= 6 ? first[3] : "") ?? 0) > 2.5, "delivered Mbit/s (4 x 0.8): \(out)")
    }

    @Test func srtPlayersOfAnRTMPPublishedStream() async throws {
        let dir = try makeTemporaryDirectory("loadtest-srt")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let flv = try await Self.makeFLV(in: dir)

        let relay = try await RelaydServer()
        let (json, out) = try await Self.loadTest(
            [
                "--url", relay.srtURL("srtsmoke", mode: "request"), "--publish-url", relay.url("srtsmoke"), "--flv", flv,
                "--players", "5", "--duration", "4", "--warmup", "1", "--lead", "1", "--pid", "\(relay.child.pid)",
                "--label", "relayd-srt",
            ], in: dir, timeout: .seconds(40))
        #expect(json["connected"] as? Int == 5, "\(out)")
        #expect(json["gotKeyframe"] as? Int == 5, "\(out)")
        #expect(json["disconnects"] as? Int == 0, "\(out)")
        #expect((json["perPlayerMbpsMin"] as? Double ?? 0) > 0.1, "every SRT player receives the stream: \(out)")
        #expect(await relay.stop() == 0)
    }

    /// WebRTC players: WHEP POST, ICE, DTLS, SRTP against the real relayd, frames counted and
    /// the latency of each video frame measured through keyframe fingerprints (`_source`: the
    /// transcoder's rungs have other bytes; the stream has no B-frames, so it plays as is);
    /// DELETE ends each session. The GOP is 4 s (100 frames) and the players come 3.5 s into
    /// it: the new feed's first burst is the registry's cached GOP, which must not overflow the
    /// feed's queue (it did at 60 frames: the players then saw one picture, and a stall).
    @Test func webRTCPlayersConnectReceiveAndMeasureLatency() async throws {
        let dir = try makeTemporaryDirectory("loadtest-whep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let flv = try await Self.makeFLV(in: dir, gopFrames: 100)

        let relay = try await RelaydServer()
        let (json, out) = try await Self.loadTest(
            [
                "--url", "\(relay.server)/whep/live/whepsmoke_source", "--publish-url", relay.url("whepsmoke"), "--flv", flv,
                "--players", "5", "--duration", "4", "--warmup", "1", "--lead", "3.5", "--connect-rate", "50", "--pid", "\(relay.child.pid)",
                "--label", "relayd-webrtc",
            ], in: dir, timeout: .seconds(40))
        #expect(json["connected"] as? Int == 5, "\(out)")
        #expect(json["gotKeyframe"] as? Int == 5, "\(out)")
        #expect(json["disconnects"] as? Int == 0, "\(out)")
        #expect((json["perPlayerMbpsMin"] as? Double ?? 0) > 0.1, "every WebRTC player receives the stream: \(out)")
        #expect((json["latencySamples"] as? Int ?? 0) > 50, "video frames matched to what was sent: \(out)")
        #expect((json["firstKeyframeP99Ms"] as? Double ?? .infinity) < 1000, "started on the cached GOP: \(out)")
        #expect(json["stalls"] as? Int == 0, "\(out)")
        // The players' DELETEs ended every session.
        let (_, metrics, _) = try await runTool("curl", ["-s", "\(relay.server)/metrics"])
        let webrtcPlayers = metrics.split(separator: "\n").filter { $0.hasPrefix("relay_players{protocol=\"webrtc\"") }
        #expect(webrtcPlayers.allSatisfy { $0.hasSuffix(" 0") }, "\(webrtcPlayers)")
        #expect(await relay.stop() == 0)
    }

    /// HLS clients of relay-loadtest: each reads the multivariant playlist, then its variant's
    /// media playlist and every new segment once; bytes, requests and the first segment counted.
    @Test func hlsPlayersFetchEveryNewSegment() async throws {
        let dir = try makeTemporaryDirectory("loadtest-hls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let flv = try await Self.makeFLV(in: dir, gopFrames: 25)
        let relay = try await RelaydServer()
        let (json, out) = try await Self.loadTest(
            [
                "--url", "\(relay.server)/hls/live/hlssmoke/index.m3u8", "--hls-variant", "source", "--publish-url", relay.url("hlssmoke"),
                "--flv", flv, "--players", "5", "--duration", "5", "--warmup", "1", "--lead", "2", "--connect-rate", "50",
                "--pid", "\(relay.child.pid)", "--label", "relayd-hls",
            ], in: dir, timeout: .seconds(60))
        #expect(json["connected"] as? Int == 5, "\(out)")
        #expect(json["gotKeyframe"] as? Int == 5, "every client got a first segment: \(out)")
        #expect(json["disconnects"] as? Int == 0, "\(out)")
        #expect((json["perPlayerMbpsMin"] as? Double ?? 0) > 0.1, "every client receives the stream: \(out)")
        #expect((json["httpRequests"] as? Int ?? 0) >= 5 * 5, "playlists and segments: \(out)")
        #expect(json["stalls"] as? Int == 0, "\(out)")
        #expect(await relay.stop() == 0)
    }

    /// A source with B-frames is never sent to a browser as is: a viewer pinned to `_source` is
    /// moved to the top rung (encoded without B-frames) and keeps receiving pictures.
    @Test func aPinnedSourceViewerOfABFrameSourceMovesToARung() async throws {
        let dir = try makeTemporaryDirectory("loadtest-bframes")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let flv = dir + "/bframes.flv"
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
                "-t", "4", "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "25", "-pix_fmt", "yuv420p",
            ] + MediaTools.constantBitrate(1_000) + [  // feeds the 360p rung it moves to
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", flv,
            ])
        guard code == 0 else { throw TestFailure("ffmpeg: \(err)") }

        let relay = try await RelaydServer()
        let (json, out) = try await Self.loadTest(
            [
                "--url", "\(relay.server)/whep/live/bframes_source", "--publish-url", relay.url("bframes"), "--flv", flv,
                "--players", "1", "--duration", "6", "--warmup", "2", "--lead", "1",
            ], in: dir, timeout: .seconds(40))
        let log = relay.child.stderr
        #expect(log.contains("webrtc viewer of _source moved to a rung") && log.contains("to=360p"), "\(log.suffix(3000))")
        #expect(log.contains("webrtc viewer switched rung"), "\(log.suffix(3000))")
        #expect(json["gotKeyframe"] as? Int == 1, "\(out)")
        #expect(json["stalls"] as? Int == 0, "no stop at the switch: \(out)")
        #expect((json["perPlayerMbpsMin"] as? Double ?? 0) > 0.1, "\(out)")
        #expect(await relay.stop() == 0)
    }
}
