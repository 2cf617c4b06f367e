import Foundation
import ProcessTestSupport

/// ffmpeg/ffprobe/rtmpdump invocations the end-to-end tests share.
enum MediaTools {
    /// Publishes a generated test pattern (libx264 + AAC, FLV) at real time for `seconds`.
    /// testsrc compresses to a few hundred kbit/s (254 at 640x360, 435 at 1280x720), which feeds
    /// no rung (a rung needs 5/4 of its bitrate from the source): `videoKbps` makes it constant
    /// (``constantBitrate(_:)``), ``ladderKbps`` for a source that feeds the whole ladder.
    static func publish(
        to url: String, seconds: Int, size: String = "640x360", rate: Int = 25, gop: Int = 25, videoKbps: Int? = nil
    ) throws -> ChildProcess {
        try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc=size=\(size):rate=\(rate)",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "\(seconds)",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "\(gop)", "-pix_fmt", "yuv420p",
            ] + (videoKbps.map(constantBitrate) ?? []) + [
                "-c:a", "aac", "-b:a", "64k",
                "-f", "flv", url,
            ])
    }

    /// A source bitrate that feeds the default ladder's every rung with room (720p needs 1800 / 0.8 = 2250).
    static let ladderKbps = 3_000

    /// libx264 options for a constant `kbps` (filler data where the picture needs fewer bits), so
    /// the relay measures that rate whatever the pattern.
    static func constantBitrate(_ kbps: Int) -> [String] {
        ["-b:v", "\(kbps)k", "-minrate", "\(kbps)k", "-maxrate", "\(kbps)k", "-bufsize", "\(kbps)k", "-x264-params", "nal-hrd=cbr"]
    }

    /// Records what a player receives to an FLV file without re-encoding.
    /// With `copyTimestamps` the file keeps the relay's timestamps (players joining at different
    /// times can be compared).
    static func record(_ url: String, to file: String, seconds: Int? = nil, copyTimestamps: Bool = false) throws -> ChildProcess {
        var args = ["-hide_banner", "-loglevel", "error"] + (copyTimestamps ? ["-copyts"] : []) + ["-i", url]
        if let seconds { args += ["-t", "\(seconds)"] }
        args += ["-c", "copy", "-f", "flv", "-y", file]
        return try ChildProcess("ffmpeg", args)
    }

    struct Packet {
        let isVideo: Bool
        let dtsMillis: Double
        let isKey: Bool
    }

    /// The steps between consecutive packets' timestamps (a picture's gaps, when they are its frames).
    static func dtsGaps(_ packets: [Packet]) -> [Double] {
        zip(packets, packets.dropFirst()).map { $1.dtsMillis - $0.dtsMillis }
    }

    /// Packets of a media file, in file order.
    static func packets(of file: String) async throws -> [Packet] {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "packet=codec_type,dts_time,flags", "-of", "csv=p=0", file,
            ])
        guard code == 0 else { throw TestFailure("ffprobe \(file) failed: \(err)") }
        return out.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count >= 3, let dts = Double(parts[1]) else { return nil }
            return Packet(isVideo: parts[0] == "video", dtsMillis: dts * 1000, isKey: parts[2].contains("K"))
        }
    }

    /// ffmpeg's output options for a decode-only check: each frame passed through with its own
    /// timestamp, in milliseconds. Without them ffmpeg retimes frames to its guess of the frame
    /// rate, and two pictures of a browser's WHIP lesson 14 ms apart (its encoder's capture times
    /// jitter) land on one tick: ffmpeg then reports its own "non monotonically increasing dts".
    static let decodeToNull = ["-fps_mode", "passthrough", "-enc_time_base", "1:1000", "-f", "null", "-"]

    /// Decodes every frame of a file; returns ffmpeg's error output (empty when clean).
    /// `seconds` limits decoding to the start of a recording a player cut off mid-message.
    static func decodeErrors(of file: String, seconds: Double? = nil) async throws -> String {
        let limit = seconds.map { ["-t", "\($0)"] } ?? []
        let (_, _, err) = try await runTool("ffmpeg", ["-hide_banner", "-v", "error", "-i", file] + limit + decodeToNull)
        return err
    }
}
