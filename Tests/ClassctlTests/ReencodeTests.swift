import Foundation
import Media
import ProcessTestSupport
import Testing

/// `broadcast start` with an input that is not H.264 + AAC: the pusher re-encodes it in process
/// (libx264 + AAC through libavcodec) and the result is what an RTMP relay accepts.
@Suite struct ReencodeTests {
    @Test func mpeg4AndMP2InputArePushedAsH264AndAAC() async throws {
        let work = try makeTemporaryDirectory("reencode")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let input = work + "/lesson.avi"
        let (made, _, makeErr) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=32000", "-t", "3",
                "-c:v", "mpeg4", "-q:v", "5", "-c:a", "mp2", "-ac", "1", "-y", input,
            ])
        #expect(made == 0, "\(makeErr)")

        let output = work + "/pushed.flv"
        let pusher = try MediaPusher(configuration: .init(input: input, output: output, formatName: "flv"), stopSignal: PushStopSignal())
        #expect(pusher.reencodedFrom == "mpeg4 + mp2")
        #expect(pusher.streams.map(\.codecName) == ["h264", "aac"])
        let started = Date()
        let outcome = try pusher.run { _ in }
        #expect(outcome == .endOfInput)
        #expect(Date().timeIntervalSince(started) >= 2.5, "paced at the input's rate")

        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,width,height,sample_rate,channels",
                "-show_entries", "format=duration", "-of", "csv=p=0", output,
            ])
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264,320,240"), "\(out)")
        #expect(out.contains("aac,32000,1"), "\(out)")
        let (decoded, _, decodeErr) = try await runTool("ffmpeg", ["-v", "error", "-i", output, "-f", "null", "-"])
        #expect(decoded == 0 && decodeErr.isEmpty, "decodes cleanly: \(decodeErr)")
        let (_, frames, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", output,
            ])
        #expect((Int(frames.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 70, "all frames: \(frames)")
    }
}
