import Foundation
import ProcessTestSupport

/// What ffprobe says about a recorded rung: its picture size and video bitrate.
struct RungProbe {
    let width: Int
    let height: Int
    let videoKbps: Double
    let videoFrames: Int
    let seconds: Double
    /// Audio payload bitrate over the recording (0 without audio).
    var audioKbps: Double = 0

    static func of(_ file: String) async throws -> RungProbe {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", file,
            ])
        guard code == 0 else { throw TestFailure("ffprobe \(file): \(err)") }
        let size = out.split(separator: "\n").first?.split(separator: ",").compactMap { Int($0) } ?? []
        let (pcode, packets, perr) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=dts_time,size", "-of", "csv=p=0", file,
            ])
        guard pcode == 0 else { throw TestFailure("ffprobe packets \(file): \(perr)") }
        var bytes = 0
        var times: [Double] = []
        for line in packets.split(separator: "\n") {
            let parts = line.split(separator: ",")
            guard parts.count >= 2, let t = Double(parts[0]), let n = Int(parts[1]) else { continue }
            times.append(t)
            bytes += n
        }
        let span = max((times.max() ?? 0) - (times.min() ?? 0), 0.001)
        let (_, audioPackets, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "a:0", "-show_entries", "packet=size", "-of", "csv=p=0", file,
            ])
        let audioBytes = audioPackets.split(separator: "\n").compactMap { Int($0.split(separator: ",").first ?? "") }.reduce(0, +)
        return RungProbe(
            width: size.first ?? 0, height: size.count > 1 ? size[1] : 0,
            videoKbps: Double(bytes) * 8 / 1000 / span, videoFrames: times.count, seconds: span,
            audioKbps: Double(audioBytes) * 8 / 1000 / span
        )
    }
}

extension MediaTools {
    /// Publishes testsrc2 (a moving, detailed picture) like a central school's encoder.
    static func publishLesson(to url: String, seconds: Int, size: String = "1280x720", rate: Int = 30) throws -> ChildProcess {
        try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=\(rate)",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "\(seconds)",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "\(rate * 2)", "-pix_fmt", "yuv420p",
            ] + MediaTools.constantBitrate(3_000) + [
                "-c:a", "aac", "-b:a", "96k",
                "-f", "flv", url,
            ])
    }
}
