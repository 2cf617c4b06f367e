import Foundation
import ProcessTestSupport
import Testing

/// A publisher whose H.264 is damaged (bytes flipped in frames and NAL lengths broken) must not
/// stop the rungs: the transcoder skips to the next keyframe and every rung keeps flowing.
@Suite(.serialized)
struct DamagedInputTranscodeTests {
    /// Flips bytes inside every fifth video frame of an FLV file and breaks the NAL length of
    /// one frame in 75 (mid-GOP), keeping the FLV tag structure intact. Returns the frames damaged.
    static func damage(_ input: String, to output: String) throws -> Int {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: input)))
        var offset = 9 + 4
        var videoFrames = 0
        var damaged = 0
        while offset + 11 <= bytes.count {
            let type = bytes[offset] & 0x1F
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let body = offset + 11
            guard body + size + 4 <= bytes.count else { break }
            if type == 9, size > 100, bytes[body + 1] == 1 {
                videoFrames += 1
                if videoFrames % 5 == 0 {
                    for i in stride(from: body + 40, to: min(body + size, body + 600), by: 5) { bytes[i] ^= 0xA5 }
                    damaged += 1
                }
                if videoFrames % 75 == 30 {
                    for i in body + 5..<body + 9 { bytes[i] = 0xFF }
                    damaged += 1
                }
            }
            offset = body + size + 4
        }
        try Data(bytes).write(to: URL(fileURLWithPath: output))
        return damaged
    }

    @Test func damagedFramesDoNotStopAnyRung() async throws {
        let dir = try makeTemporaryDirectory("damaged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "16",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-pix_fmt", "yuv420p",
            ] + MediaTools.constantBitrate(MediaTools.ladderKbps) + [
                "-c:a", "aac", "-y", "\(dir)/clean.flv",
            ])
        #expect(code == 0, "\(err)")
        let damaged = try Self.damage("\(dir)/clean.flv", to: "\(dir)/damaged.flv")
        #expect(damaged > 60)

        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: TranscodeTests.transcodeConfig))
        let publisher = try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re", "-i", "\(dir)/damaged.flv", "-c", "copy", "-f", "flv", relay.url("broken"),
            ])
        defer { publisher.signal(SIGKILL) }
        // Not a condition: the publisher 3 s in, past its first damaged timestamp (frame 30), when checked.
        try await Task.sleep(for: .seconds(3))
        #expect(publisher.isRunning, "publisher: \(publisher.stderr)")
        let players = try ["480p", "360p"].map { try MediaTools.record(relay.url("broken_\($0)"), to: "\(dir)/\($0).flv", seconds: 10) }
        for player in players { await player.wait(timeout: .seconds(30)) }

        for (rung, height) in [("480p", 480), ("360p", 360)] {
            let probe = try await RungProbe.of("\(dir)/\(rung).flv")
            #expect(probe.height == height, "\(rung): \(probe.width)x\(probe.height)")
            #expect(probe.seconds >= 8, "\(rung) flowed only \(probe.seconds) s")
            #expect(probe.videoFrames >= 100, "\(rung): \(probe.videoFrames) frames in 10 s")
            let packets = try await MediaTools.packets(of: "\(dir)/\(rung).flv").filter(\.isVideo)
            let gaps = MediaTools.dtsGaps(packets)
            #expect((gaps.max() ?? 0) < 2500, "\(rung): a gap of \(Int(gaps.max() ?? 0)) ms")
        }
        #expect(relay.child.isRunning)
        let metrics = try await runTool("curl", ["-s", "\(relay.server)/metrics"])
        print(metrics.1.split(separator: "\n").filter { $0.hasPrefix("relay_transcode") }.joined(separator: "\n"))
        _ = await relay.stop()
    }
}
