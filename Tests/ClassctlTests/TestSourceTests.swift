import Foundation
import Media
import ProcessTestSupport
import Testing

/// `--input testsrc`: the generator's own code path (encoders → OutputFormatContext, paced)
/// writing a local FLV file, checked with ffprobe and a full decode.
@Suite struct TestSourceTests {
    @Test func generatesDecodableH264AndAACAtTheRequestedSizeAndRate() async throws {
        let work = try makeTemporaryDirectory("testsrc")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let path = work + "/testsrc.flv"
        let generator = try TestSourcePusher(
            configuration: .init(width: 320, height: 240, fps: 25, output: path, formatName: "flv", durationSeconds: 3),
            stopSignal: PushStopSignal())
        let started = Date()
        var last = PushProgress()
        let outcome = try generator.run { last = $0 }
        let elapsed = Date().timeIntervalSince(started)
        #expect(outcome == .endOfInput)
        #expect(elapsed >= 2.5, "paced at real time: \(elapsed) s")
        #expect(last.framesSent >= 70, "\(last)")

        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height,r_frame_rate,sample_rate",
                "-show_entries", "format=duration", "-of", "json", path,
            ])
        #expect(code == 0, "\(err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let streams = try #require(json["streams"] as? [[String: Any]])
        let video = try #require(streams.first { $0["codec_type"] as? String == "video" }, "\(out)")
        let audio = try #require(streams.first { $0["codec_type"] as? String == "audio" }, "\(out)")
        #expect(video["codec_name"] as? String == "h264")
        #expect(video["width"] as? Int == 320)
        #expect(video["height"] as? Int == 240)
        #expect(video["r_frame_rate"] as? String == "25/1", "\(out)")
        #expect(audio["codec_name"] as? String == "aac")
        let duration = Double((json["format"] as? [String: Any])?["duration"] as? String ?? "") ?? 0
        #expect(duration > 2.5 && duration < 3.6, "\(out)")

        // Every frame decodes without an error.
        let (decodeCode, decodeOut, decodeErr) = try await runTool("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"])
        #expect(decodeCode == 0)
        #expect(decodeOut.isEmpty && decodeErr.isEmpty, "\(decodeErr)")

        // Keyframes every 2 s (GOP = 50 frames at 25 fps).
        let (_, frames, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v", "-show_entries", "packet=flags", "-of", "csv=p=0", path,
            ])
        let flags = frames.split(separator: "\n")
        let keyframes = flags.enumerated().filter { $0.element.hasPrefix("K") }.map(\.offset)
        #expect(keyframes.first == 0 && keyframes.contains(50), "\(keyframes)")
    }

    @Test func rejectsOddSizes() {
        #expect(throws: PushError.self) {
            _ = try TestSourcePusher(configuration: .init(width: 321, height: 240, output: "/dev/null"), stopSignal: PushStopSignal())
        }
    }
}
