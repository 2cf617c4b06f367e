import Foundation
import ProcessTestSupport

/// ffmpeg and srt-live-transmit as SRT publishers and players, as schools would run them.
enum SRTTools {
    /// Publishes a generated test pattern (libx264 + AAC in MPEG-TS) over SRT at real time.
    /// `videoKbps` as ``MediaTools/publish(to:seconds:size:rate:gop:videoKbps:)``'s.
    static func publish(to url: String, seconds: Int, size: String = "640x360", videoKbps: Int? = nil) throws -> ChildProcess {
        try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "testsrc=size=\(size):rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "\(seconds)",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
            ] + (videoKbps.map(MediaTools.constantBitrate) ?? []) + [
                "-c:a", "aac", "-b:a", "64k",
                "-f", "mpegts", url,
            ])
    }

    /// Records `seconds` of an SRT (or any) stream to an MPEG-TS file without re-encoding.
    static func record(_ url: String, to file: String, seconds: Int) throws -> ChildProcess {
        try ChildProcess("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", url, "-t", "\(seconds)", "-c", "copy", "-f", "mpegts", "-y", file])
    }

    /// srt-live-transmit writing what it receives to `file` (through a shell redirect).
    static func liveTransmit(_ url: String, to file: String) throws -> ChildProcess {
        try ChildProcess("sh", ["-c", "exec srt-live-transmit -a:no -q '\(url)' file://con > '\(file)'"])
    }

    /// Sends a file's bytes as they are (no muxing) over SRT, paced to `bytesPerSecond`: ffmpeg
    /// reads it as raw 8-bit samples and copies them into 1316-byte SRT messages.
    static func sendRaw(_ file: String, bytesPerSecond: Int, to url: String) throws -> ChildProcess {
        try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re", "-f", "u8", "-ar", "\(bytesPerSecond)", "-ac", "1", "-i", file,
                "-c", "copy", "-f", "u8", url,
            ])
    }

    /// Decodes `url` for `seconds` with ffmpeg; returns (exit code, error output).
    static func decode(_ url: String, seconds: Int, timeout: Int = 30) async throws -> (Int32?, String) {
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-v", "error", "-i", url, "-t", "\(seconds)",
            ] + MediaTools.decodeToNull, timeout: .seconds(timeout))
        return (code, err)
    }
}
