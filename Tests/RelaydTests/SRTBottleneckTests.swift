import Foundation
import ProcessTestSupport
import Testing

/// An adaptive SRT player (the plain class name) behind a real 1 Mbit/s bottleneck: relayd in
/// one network namespace, `ffmpeg -i srt://…` in another, joined by a veth pair shaped with
/// `tc tbf`. It starts on 720p (its site is said to have 8 Mbit/s), must be moved to 360p by
/// what libsrt measures on the link, and climb back once the limit is lifted; the recording
/// switches sizes without the picture stopping. Skipped where namespaces are refused.
@Suite(.serialized)
struct SRTBottleneckTests {
    @Test func anSRTPlayerBehind1MbitStepsDownTo360pAndClimbsBack() async throws {
        try await BottleneckTests.Namespaces.run("SRTBottleneckTests") { ns, dir, children in
            try await run(ns, dir: dir, children: &children)
        }
    }

    private func run(_ ns: BottleneckTests.Namespaces, dir: String, children: inout [ChildProcess]) async throws {
        let (relay, port) = try await ns.startRelay(
            config: TranscodeTests.transcodeConfig + "player:\n  defaultBandwidthKbps: 8000\n  stepUpSeconds: 10\n", dir: dir, protocol: "srt"
        )
        children.append(relay)
        let publisher = try ns.publishLesson(format: "mpegts", to: "srt://127.0.0.1:\(port)?streamid=#!::r=live/sneck,m=publish")
        children.append(publisher)
        #expect(await relay.waitForOutput(timeout: .seconds(20)) { $0.contains("transcoding") && $0.contains("rungs=") }, "the rungs made")
        try await ns.shape("1mbit")
        let player = try ChildProcess(
            "ip",
            [
                "netns", "exec", ns.client, "ffmpeg", "-hide_banner", "-loglevel", "error",
                // A fixed length, so the player ends on its own, reading to the last byte. Video only:
                // before the step-down the 1 Mbit/s link loses packets, and the mpegts muxer stops the
                // recording at the first damaged AAC frame ("AAC packet too short") where damaged
                // H.264 is only a warning; what this test checks is the picture.
                "-i", "srt://10.231.7.1:\(port)?streamid=#!::r=live/sneck,m=request", "-t", "60", "-map", "0:v:0", "-c", "copy", "-f", "mpegts",
                "-y", dir + "/player.ts",
            ])
        children.append(player)

        let down = await relay.waitForOutput(timeout: .seconds(25)) { $0.contains("srt rung switched") && $0.contains("to=360p") }
        #expect(down, "not on 360p within 25 s: \(String(relay.stderr.suffix(3000)))")
        #expect(relay.stderr.contains("rendition=720p"), "started on 720p")
        #expect(relay.stderr.contains("protocol=srt") && relay.stderr.contains("direction=down"))
        // Not a condition: 6 s played on 360p behind the limit, before it is lifted.
        try await Task.sleep(for: .seconds(6))
        try await ns.shape(nil)  // the limit is lifted
        let up = await relay.waitForOutput(timeout: .seconds(40)) { $0.contains("srt rung switched") && $0.contains("from=360p") }
        #expect(up, "did not climb back: \(String(relay.stderr.suffix(3000)))")
        await player.wait(timeout: .seconds(70))
        print("srt bottleneck player stderr: \(player.stderr.suffix(3000))")
        #expect(!player.stderr.contains("Invalid data"), "player: \(player.stderr.suffix(2000))")

        let video = try await MediaTools.packets(of: dir + "/player.ts").filter(\.isVideo)
        let gaps = MediaTools.dtsGaps(video)
        let heights = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=height", "-of", "csv=p=0", dir + "/player.ts",
            ], timeout: .seconds(120)
        ).1
        let seen = Set(heights.split(separator: "\n").compactMap { Int($0) })
        for line in relay.stderr.split(separator: "\n") where line.contains("rung") || line.contains("srt player") || line.contains("srt play ") {
            print("srt bottleneck relay: \(line.prefix(700))")
        }
        print("srt bottleneck: player saw heights \(seen.sorted()), \(video.count) frames, longest gap \(Int(gaps.max() ?? 0)) ms")
        #expect(video.count > 200, "\(video.count) video frames")
        #expect((gaps.max() ?? 0) <= 1000, "the picture stopped for \(Int(gaps.max() ?? 0)) ms")
        #expect(gaps.allSatisfy { $0 >= 0 }, "timestamps went back")
        #expect(seen.contains(360) && seen.contains(720), "heights \(seen)")
        // Unshaped, after the climb back: from a keyframe 6 s before the end, the picture
        // decodes cleanly (the bytes from just before it: the PAT/PMT precede each keyframe).
        let keyframes = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags,pos", "-of", "csv=p=0", dir + "/player.ts",
            ], timeout: .seconds(60)
        ).1.split(separator: "\n").compactMap { line -> (Double, Int)? in
            let parts = line.split(separator: ",")
            guard parts.count >= 3, parts[2].contains("K"), let time = Double(parts[0]), let pos = Int(parts[1]) else { return nil }
            return (time, pos)
        }
        let end = keyframes.last?.0 ?? 0
        guard let (time, pos) = keyframes.last(where: { $0.0 <= end - 6 }) else {
            Issue.record("no keyframe 6 s before the end: \(keyframes)")
            return
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/player.ts"))
        try bytes.suffix(from: max(0, pos - 4 * 188)).write(to: URL(fileURLWithPath: dir + "/tail.ts"))
        let tail = try await MediaTools.decodeErrors(of: dir + "/tail.ts")
        if !tail.isEmpty {
            try? FileManager.default.copyItem(atPath: dir + "/player.ts", toPath: NSTemporaryDirectory() + "/srt-bottleneck-\(getpid()).ts")
        }
        #expect(tail.isEmpty, "decode errors after \(time) s: \(tail.suffix(1500))")
    }
}
