import Foundation
import ProcessTestSupport
import Testing

/// Slow, half-open and excess connections cost a bounded amount and never block the lesson.
@Suite(.serialized)
struct ResourceLimitTests {
    @Test func slowlorisAndHalfOpenFloodCostBoundedMemoryAndThePlayerStillPlays() async throws {
        let relay = try await RelaydServer(
            config: RelaydServer.openConfig(
                extra: """
                    rtmp:
                      handshakeTimeoutSeconds: 12
                    limits:
                      maxConnections: 600
                      maxConnectionsPerIP: 400
                    """))
        let url = relay.url("slowloris")
        let publisher = try MediaTools.publish(to: url, seconds: 40)
        defer { publisher.signal(SIGKILL) }
        try await relay.waitForStreamsLive()
        let baseline = try #require(ProcessProbe.rssKiB(relay.child.pid))

        // 200 peers that send their handshake one byte a second, and 100 that send nothing.
        var slow = try (0..<200).map { _ in try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.2") }
        var silent = try (0..<100).map { _ in try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.3") }
        let recording = NSTemporaryDirectory() + "slowloris-\(UUID().uuidString.prefix(6)).flv"
        defer { try? FileManager.default.removeItem(atPath: recording) }
        let player = try MediaTools.record(url, to: recording, seconds: 5)
        defer { player.signal(SIGKILL) }
        var peak = baseline
        var openDuringFlood = 0.0
        for second in 0..<8 {
            for client in slow { try client.send([3]) }
            try await Task.sleep(for: .seconds(1))  // not a condition: the slow peers' pace, one byte a second
            peak = max(peak, ProcessProbe.rssKiB(relay.child.pid) ?? 0)
            if second == 2 { openDuringFlood = try await relay.metric("relay_connections_open", ["protocol": "rtmp"]) }
        }
        #expect(openDuringFlood >= 301, "the flood's connections are held: \(openDuringFlood)")

        // The player got the lesson, in time, while the flood was on.
        #expect(await player.wait(timeout: .seconds(20)) == 0, "\(player.stderr)")
        let video = try await MediaTools.packets(of: recording).filter(\.isVideo)
        #expect(video.count >= 75, "5 s at 25 fps, got \(video.count) video packets")

        // Every flooding peer is closed by the handshake deadline; the relay holds only the publisher again.
        #expect(slow[0].isClosedByServer(within: 15))
        #expect(slow.dropFirst().allSatisfy { $0.isClosedByServer(within: 2) })
        #expect(silent.allSatisfy { $0.isClosedByServer(within: 2) })
        slow = []
        silent = []
        let open = try await waitUntil(timeout: .seconds(10), every: .milliseconds(250)) {
            try await relay.metric("relay_connections_open", ["protocol": "rtmp"])
        } until: {
            $0 <= 1
        }
        #expect(open == 1, "only the publisher is left: \(open)")
        let after = try #require(ProcessProbe.rssKiB(relay.child.pid))
        print("slowloris: rss baseline \(baseline) KiB, peak \(peak) KiB, after \(after) KiB, 300 peers")
        #expect(peak - baseline < 64 * 1024, "300 slow peers cost \(peak - baseline) KiB")
        #expect(relay.child.stderr.contains("handshake not completed in time"))
        #expect(try await relay.metric("relay_rtmp_closed_total", ["reason": "handshake_timeout"]) == 300)
        #expect(relay.child.isRunning)
        #expect(await relay.stop() == 0)
    }

    @Test func httpConnectionsPerIPAreLimitedToo() async throws {
        let relay = try await RelaydServer(
            config: RelaydServer.openConfig(
                extra: """
                    limits:
                      maxConnections: 50
                      maxConnectionsPerIP: 3
                    """))
        // Three idle connections from one address fill its share; the fourth is closed at once.
        var idle = try (0..<3).map { _ in try RawRTMPClient(port: relay.httpPort, source: "127.0.0.7") }
        // Admitted: the three and the request asking.
        try await waitUntil("the three idle connections admitted") {
            try await relay.metric("relay_connections_open", ["protocol": "http"]) >= 4
        }
        let fourth = try RawRTMPClient(port: relay.httpPort, source: "127.0.0.7")
        #expect(fourth.isClosedByServer(within: 3))
        // Another address is served meanwhile, and the refusal is counted.
        #expect(try await relay.metric("relay_connections_refused_total", ["protocol": "http", "reason": "max_connections_per_ip"]) == 1)
        let (code, out, _) = try await runTool("curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(relay.httpPort)/healthz"])
        #expect(code == 0 && out.contains("ok"), "\(out)")
        // Room again once they leave.
        idle = []
        try await waitUntil("the idle connections' ends seen") {
            try await relay.metric("relay_connections_open", ["protocol": "http"]) <= 1
        }
        let again = try RawRTMPClient(port: relay.httpPort, source: "127.0.0.7")
        #expect(!again.isClosedByServer(within: 1))
        _ = idle
        #expect(await relay.stop() == 0)
    }

    @Test func connectionAndStreamLimitsRefuseLoggedAndCounted() async throws {
        let relay = try await RelaydServer(
            config: RelaydServer.openConfig(
                extra: """
                    limits:
                      maxConnections: 25
                      maxConnectionsPerIP: 10
                      maxStreams: 1
                    """))
        let url = relay.url("limited")
        let publisher = try MediaTools.publish(to: url, seconds: 40)
        defer { publisher.signal(SIGKILL) }
        try await relay.waitForStreamsLive()

        // Per address: the eleventh from one IP is closed at once. (Admission runs on each
        // connection's own event loop, so wait until a batch is admitted before the next.)
        func waitForOpen(_ count: Double) async throws {
            try await waitUntil(timeout: .seconds(20), every: .milliseconds(250)) {
                try await relay.metric("relay_connections_open", ["protocol": "rtmp"])
            } until: {
                $0 == count
            }
        }
        var fromOne = try (0..<10).map { _ in try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.3") }
        try await waitForOpen(11)
        let eleventh = try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.3")
        #expect(eleventh.isClosedByServer(within: 3))
        try fromOne[9].handshake()

        // In all: 1 + 10 + 10 + 4 = 25 open, the 26th (from a fresh address) is closed.
        let fromTwo = try (0..<10).map { _ in try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.4") }
        let fromThree = try (0..<4).map { _ in try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.5") }
        try await waitForOpen(25)
        let over = try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.6")
        #expect(over.isClosedByServer(within: 3))
        #expect(try await relay.metric("relay_connections_open", ["protocol": "rtmp"]) == 25)
        #expect(try await relay.metric("relay_connections_refused_total", ["reason": "max_connections_per_ip"]) == 1)
        #expect(try await relay.metric("relay_connections_refused_total", ["reason": "max_connections"]) == 1)

        // Room again once some leave: the lesson plays.
        fromOne = []
        try await waitUntil(timeout: .seconds(10), every: .milliseconds(250)) {
            try await relay.metric("relay_connections_open", ["protocol": "rtmp"])
        } until: {
            $0 <= 15
        }
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", url,
            ], timeout: .seconds(20))
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264"))

        // A second stream is over limits.maxStreams: refused with a reason, counted.
        let (refusedCode, _, _) = try await runTool("ffprobe", ["-v", "error", relay.url("another")], timeout: .seconds(20))
        #expect(refusedCode != 0)
        #expect(try await relay.metric("relay_auth_refusals_total", ["action": "play", "reason": "max_streams"]) == 1)
        let log = relay.child.stderr
        #expect(log.contains("refusing connections"))
        #expect(log.contains("max_connections_per_ip"))
        #expect(log.contains("limits.maxStreams"))
        _ = (fromTwo, fromThree)
        #expect(await relay.stop() == 0)
    }
}
