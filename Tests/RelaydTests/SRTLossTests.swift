import Foundation
import ProcessTestSupport
import Testing

/// An SRT player on a lossy link (5 % of UDP packets dropped each way, plus 40 ms delay where
/// the kernel has netem) with a 300 ms latency budget still gets a clean stream: SRT's
/// retransmissions repair it. Runs in the test's own network namespace; fails, saying why, where
/// namespaces or packet filtering are not allowed (CI runs as root with both).
@Suite(.serialized)
struct SRTLossTests {
    @Test func aLossyLinkWithA300msBudgetDecodesCleanly() async throws {
        let namespace = "srtloss-\(UInt32.random(in: 0..<1_000_000))"
        guard await Self.run("ip", ["netns", "add", namespace]) else {
            Issue.record("cannot create a network namespace (needs root and ip netns)")
            return
        }
        defer { Self.delete(namespace) }
        _ = await Self.run("ip", ["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
        // Delay needs netem (not in every kernel); loss comes from nftables, on UDP only (SRT),
        // so the RTMP publisher's TCP stays clean and only the SRT player's link is lossy.
        let delayed = await Self.run("ip", ["netns", "exec", namespace, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "40ms"])
        var lossy = true
        for command in [
            "add table inet loss", "add chain inet loss out { type filter hook output priority 0 ; }",
            "add rule inet loss out meta l4proto udp numgen random mod 100 < 5 drop",
        ] where lossy {
            lossy = await Self.run("ip", ["netns", "exec", namespace, "nft", command])
        }
        guard lossy else {
            Issue.record("nftables cannot drop packets in a network namespace here")
            return
        }

        let dir = try makeTemporaryDirectory("srtloss")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try RelaydServer.openConfig().write(toFile: dir + "/relayd.yaml", atomically: true, encoding: .utf8)
        let relay = try ChildProcess(
            "ip",
            [
                "netns", "exec", namespace, RelaydServer.binaryPath, "--config", dir + "/relayd.yaml", "--data-dir", dir + "/var",
                "--host", "127.0.0.1", "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0", "--srt-port", "0",
            ])
        defer { relay.signal(SIGKILL) }
        let ready = await relay.waitForOutput(timeout: .seconds(30)) { $0.contains("listening srt=") && $0.contains("listening rtmp=") }
        let rtmp = RelaydServer.port(of: "rtmp", in: relay.stdout)
        let srt = RelaydServer.port(of: "srt", in: relay.stdout)
        try #require(ready && rtmp != nil && srt != nil, "relayd in the namespace: \(relay.stdout) \(relay.stderr)")

        let publisher = try ChildProcess(
            "ip",
            [
                "netns", "exec", namespace, "ffmpeg", "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "16", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", "rtmp://127.0.0.1:\(rtmp!)/live/lossy",
            ])
        defer { publisher.signal(SIGKILL) }
        #expect(await relay.waitForOutput(timeout: .seconds(15)) { $0.contains("publish started") }, "\(relay.stderr)")
        // ffmpeg's latency option is in microseconds.
        let player = try ChildProcess(
            "ip",
            [
                "netns", "exec", namespace, "ffmpeg", "-hide_banner", "-loglevel", "error",
                "-i", "srt://127.0.0.1:\(srt!)?streamid=#!::r=live/lossy,m=request&latency=300000",
                "-t", "8", "-c", "copy", "-f", "mpegts", "-y", dir + "/lossy.ts",
            ])
        #expect(await player.wait(timeout: .seconds(40)) == 0, "player: \(player.stderr)")
        let video = try await MediaTools.packets(of: dir + "/lossy.ts").filter(\.isVideo)
        #expect(video.count >= 150, "\(video.count) video packets in 8 s")
        #expect(video.first?.isKey == true)
        let errors = try await MediaTools.decodeErrors(of: dir + "/lossy.ts")
        relay.signal(SIGTERM)
        #expect(await relay.wait(timeout: .seconds(10)) == 0)
        // The relay's disconnect log shows SRT repaired real losses.
        let closed = relay.stderr.split(separator: "\n").first { $0.contains("srt player closed") }.map(String.init) ?? ""
        #expect(errors.isEmpty, "decode errors after loss repair (delay \(delayed ? "40 ms" : "unavailable")): \(errors) \(closed)")
        let retransmitted = closed.firstRange(of: "retrans=").map { Int(closed[$0.upperBound...].prefix { $0.isNumber }) ?? 0 } ?? 0
        #expect(retransmitted > 0, "SRT retransmitted lost packets: \(closed)")
        await publisher.wait(timeout: .seconds(20))
    }

    /// Runs a command quietly; true when it exits 0.
    static func run(_ tool: String, _ arguments: [String]) async -> Bool {
        guard let (code, _, _) = try? await runTool(tool, arguments, timeout: .seconds(10)) else { return false }
        return code == 0
    }

    static func delete(_ namespace: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "del", namespace]
        try? process.run()
        process.waitForExit()
    }
}
