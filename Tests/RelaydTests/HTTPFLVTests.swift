import Foundation
import ProcessTestSupport
import Testing

/// HTTP-FLV with independent clients: ffprobe and ffmpeg read the stream, curl reads the bytes
/// (the first video tag after the sequence headers is a keyframe), the live view lists the player.
@Suite(.serialized)
struct HTTPFLVTests {
    @Test func aSitePlaysTheLessonOverHTTPFLV() async throws {
        let lesson = try await WHEPBrowserTests.lesson(seconds: 40)
        defer { lesson.publisher.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(lesson.relay.httpPort)/flv/live"

        // Refusals, as for RTMP: no key 401, another school 403, no such class 404, not .flv 404.
        #expect(try await Curl.call(base + "/math.flv").status == 401)
        #expect(try await Curl.call(base + "/math.flv?key=\(lesson.stranger)").status == 403)
        #expect(try await Curl.call(base + "/nosuch.flv?key=\(lesson.site)").status == 404)
        #expect(try await Curl.call(base + "/math?key=\(lesson.site)").status == 404)

        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", base + "/math_480p.flv?key=\(lesson.site)",
            ], timeout: .seconds(30))
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264,854,480"), "\(out)")
        #expect(out.contains("aac"), "\(out)")

        // 3 s decode without errors, while the live view lists the player as flv.
        async let decoded = runTool(
            "ffmpeg",
            [
                // Its null output in the stream's own time base (milliseconds): in 2 of 10 runs
                // ffmpeg guessed 20 fps from a 30 fps stream's first frames and its null muxer
                // then saw every third frame's DTS twice, which is not a decode error.
                "-v", "error", "-i", base + "/math.flv?key=\(lesson.site)", "-t", "3", "-enc_time_base", "-1", "-f", "null", "-",
            ], timeout: .seconds(40))
        let listed = try await waitUntil(timeout: .seconds(12), every: .milliseconds(200)) {
            let viewers = try await lesson.relay.api.call("GET", "/classes/math/live").object["viewers"] as? [[String: Any]] ?? []
            return viewers.contains { $0["protocol"] as? String == "flv" && $0["siteId"] as? String == "site-a" }
        }
        let (decodeCode, _, decodeErrors) = try await decoded
        #expect(decodeCode == 0)
        #expect(decodeErrors.isEmpty, "decode errors: \(decodeErrors)")
        #expect(listed, "the live view lists the HTTP-FLV player")

        // The bytes: an FLV header, then metadata/sequence headers, then a keyframe first.
        let dir = try makeTemporaryDirectory("flv")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try await runTool("curl", ["-s", "--max-time", "2", "-o", dir + "/s.flv", base + "/math.flv?key=\(lesson.site)"], timeout: .seconds(10))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/s.flv")))
        try #require(bytes.count > 13)
        #expect(Array(bytes[0..<3]) == [0x46, 0x4C, 0x56])
        var offset = 13
        var firstVideo: (frameType: UInt8, packetType: UInt8)?
        var sawVideoConfig = false
        while offset + 11 <= bytes.count, firstVideo == nil {
            let type = bytes[offset]
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard offset + 11 + size + 4 <= bytes.count else { break }
            if type == 9 {
                let frameType = bytes[offset + 11] >> 4
                let packetType = bytes[offset + 12]
                if packetType == 0 { sawVideoConfig = true } else { firstVideo = (frameType, packetType) }
            }
            let previous =
                Int(bytes[offset + 11 + size]) << 24 | Int(bytes[offset + 12 + size]) << 16
                | Int(bytes[offset + 13 + size]) << 8 | Int(bytes[offset + 14 + size])
            #expect(previous == 11 + size, "PreviousTagSize")
            offset += 11 + size + 4
        }
        #expect(sawVideoConfig, "the AVC sequence header comes first")
        #expect(firstVideo?.frameType == 1, "the first picture is a keyframe")
    }
}
