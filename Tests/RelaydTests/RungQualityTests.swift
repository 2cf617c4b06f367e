import Foundation
import ProcessTestSupport
import Testing

/// Each rung's picture against the source it was made from: a player records every rung of a
/// short 720p lesson, and ffmpeg's `psnr` filter compares each recording with the published file
/// scaled to the rung's size, frame with frame on the relay's timestamps (the rungs keep the
/// source's; both put on the 30 fps grid). A ladder that scales the wrong region, mixes up
/// planes, starves its encoder or repeats pictures falls far below the floor.
@Suite(.serialized)
struct RungQualityTests {
    /// The PSNR (average of Y, U, V) every rung keeps against its source; a healthy ladder
    /// (ultrafast, as the tests run it) measures about 40 dB on this pattern; one whose encoder
    /// gets a twentieth of its bitrate, 17–21 dB.
    static let floorDB = 32.0

    @Test func everyRungLooksLikeItsSource() async throws {
        let dir = try makeTemporaryDirectory("rung-quality")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = "\(dir)/lesson.flv"
        // No B-frames: the file's presentation times are its FLV timestamps, the relay's.
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "16", "-c:v", "libx264", "-preset", "ultrafast", "-bf", "0", "-g", "60", "-pix_fmt", "yuv420p",
            ] + MediaTools.constantBitrate(MediaTools.ladderKbps) + ["-c:a", "aac", "-b:a", "96k", "-y", source])
        try #require(code == 0, "\(err)")

        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: TranscodeTests.transcodeConfig))
        let publisher = try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re", "-i", source, "-c", "copy", "-f", "flv", relay.url("quality"),
            ])
        defer { publisher.signal(SIGKILL) }
        // The rungs are made once the source's bitrate is measured (its first seconds).
        let decided = await relay.child.waitForOutput(timeout: .seconds(20)) { $0.contains("transcoding") }
        try #require(decided, "no ladder: \(relay.child.stderr)")
        let rungs = [("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)]
        let players = try rungs.map { rung in
            try MediaTools.record(relay.url("quality_\(rung.0)"), to: "\(dir)/\(rung.0).flv", seconds: 5, copyTimestamps: true)
        }
        for player in players { await player.wait(timeout: .seconds(30)) }

        for (name, width, height) in rungs {
            let psnr = try await Self.psnr(of: "\(dir)/\(name).flv", against: source, width: width, height: height)
            print("rung \(name): PSNR \(psnr) dB against the source")
            #expect(psnr >= Self.floorDB, "\(name): PSNR \(psnr) dB, floor \(Self.floorDB) dB")
        }
        _ = await relay.stop()
    }

    /// ffmpeg's average PSNR of `rung` against `source` scaled to the rung's size (bicubic),
    /// each rung frame with the source frame of its timestamp.
    static func psnr(of rung: String, against source: String, width: Int, height: Int) async throws -> Double {
        let onGrid = "setpts=round(T*30)/30/TB"  // a frame stamped 133 ms meets the source's 134 ms one
        let (_, _, log) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-nostats", "-copyts", "-i", rung, "-i", source, "-an",
                "-lavfi", "[1:v]scale=\(width):\(height):flags=bicubic,\(onGrid)[ref];[0:v]\(onGrid)[rung];[rung][ref]psnr=shortest=1", "-f", "null",
                "-",
            ])
        guard let match = log.firstMatch(of: #/PSNR y:\S+ u:\S+ v:\S+ average:([0-9.]+)/#), let value = Double(match.1) else {
            throw TestFailure("no PSNR for \(rung): \(log.suffix(600))")
        }
        return value
    }
}
