import Foundation
import Media
import NIOConcurrencyHelpers
import ProcessTestSupport
import RelayCore
import Testing

/// MPEG-TS → the relay's FLV-tag messages → MPEG-TS again, through libavformat, checked with
/// ffprobe/ffmpeg as independent decoders.
@Suite("TS conversion", .serialized)
struct TSConversionTests {
    static func makeTS(_ path: String, seconds: Int = 3) async throws {
        let (code, _, err) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-f", "mpegts", path,
            ])
        guard code == 0 else { throw TestFailure("ffmpeg: \(err)") }
    }

    /// Runs the ingest over `bytes` (pushed in SRT-sized pieces) and returns its messages.
    static func ingest(_ bytes: [UInt8]) async throws -> (messages: [MediaMessage], video: VideoInfo?, reason: String) {
        let messages = NIOLockedValueBox<[MediaMessage]>([])
        let video = NIOLockedValueBox<VideoInfo?>(nil)
        let ended = NIOLockedValueBox<String?>(nil)
        let ingest = TSIngest(
            handlers: .init(
                message: { m in messages.withLockedValue { $0.append(m) } },
                videoInfo: { v in video.withLockedValue { $0 = v } },
                ended: { r in ended.withLockedValue { $0 = r } }
            ))
        ingest.start(name: "test-ingest")
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + 1316, bytes.count)
            #expect(ingest.input.push(Array(bytes[offset..<end])))
            offset = end
        }
        ingest.input.close()
        try await waitUntil(timeout: .seconds(10), every: .milliseconds(50)) {
            ended.withLockedValue { $0 }
        } until: {
            $0 != nil
        }
        return (messages.withLockedValue { $0 }, video.withLockedValue { $0 }, ended.withLockedValue { $0 } ?? "still running")
    }

    @Test func tsBecomesFLVTagsAndBackToDecodableTS() async throws {
        let dir = try makeTemporaryDirectory("ts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await Self.makeTS(dir + "/in.ts")
        let input = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/in.ts")))
        let (messages, video, reason) = try await Self.ingest(input)
        #expect(reason == "input ended")
        #expect(video?.width == 320 && video?.height == 240)
        // Configuration first, then a keyframe; every frame of 3 s at 25 fps arrives.
        #expect(messages.prefix(2).allSatisfy { $0.isSequenceHeader })
        let frames = messages.filter { $0.kind == .video && !$0.isSequenceHeader }
        #expect(frames.first?.isKeyframe == true)
        #expect(frames.count >= 74, "\(frames.count) video frames")
        #expect(messages.contains { $0.kind == .audio && !$0.isSequenceHeader })
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp < $1.timestamp })

        // And back: the muxer's chunks are whole TS packets, a keyframe chunk starts with PAT.
        var converter = FLVToTSConverter()
        var muxer: TSMuxer?
        var output: [UInt8] = []
        var chunkSizes: [Int] = []
        var keyframeChunkStarts: [[UInt8]] = []
        var keyframeTimes: [Int64] = []
        let sourceKeyframeTimes = messages.filter { $0.kind == .video && $0.isKeyframe && !$0.isSequenceHeader }.map { Int64($0.timestamp) }
        for message in messages {
            if message.isSequenceHeader {
                let applied = converter.apply(sequenceHeader: message)
                #expect(applied)
                continue
            }
            guard let packet = converter.convert(message) else { continue }
            if muxer == nil {
                muxer = try TSMuxer(configuration: converter.configuration) { bytes, key in
                    output += bytes
                    chunkSizes.append(bytes.count)
                    if let key {
                        keyframeChunkStarts.append(Array(bytes.prefix(2 * 188)))
                        keyframeTimes.append(key)
                    }
                }
            }
            try muxer?.write(packet)
        }
        muxer?.flush()
        #expect(chunkSizes.allSatisfy { $0 <= 1316 && $0 % 188 == 0 })
        #expect(keyframeChunkStarts.count >= 3)
        #expect(keyframeTimes == sourceKeyframeTimes, "each keyframe chunk carries its keyframe's time")
        // PSI first: the SDT (PID 0x11) may come before the PAT (PID 0), then the PMT.
        let patFirst = keyframeChunkStarts.allSatisfy { start in
            stride(from: 0, to: start.count, by: 188).contains { start[$0] == 0x47 && start[$0 + 1] == 0x40 && start[$0 + 2] == 0x00 }
        }
        #expect(patFirst, "every keyframe chunk starts with PAT/PMT")
        try Data(output).write(to: URL(fileURLWithPath: dir + "/out.ts"))
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", dir + "/out.ts",
            ])
        #expect(code == 0, "\(err)")
        #expect(out.contains("h264,320,240"), "\(out)")
        #expect(out.contains("aac"))
        let (_, _, decodeErrors) = try await runTool("ffmpeg", ["-hide_banner", "-v", "error", "-i", dir + "/out.ts", "-f", "null", "-"])
        #expect(decodeErrors.isEmpty, "\(decodeErrors)")
    }

    @Test func randomBytesEndTheIngestWithAReason() async throws {
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<300_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (messages, _, reason) = try await Self.ingest(noise)
        #expect(messages.isEmpty)
        #expect(reason.contains("no H.264 or AAC stream") || reason.contains("not MPEG-TS") || reason.contains("ended before"), "\(reason)")
    }

    @Test func damagedTSRecoversAtTheNextKeyframe() async throws {
        let dir = try makeTemporaryDirectory("ts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await Self.makeTS(dir + "/in.ts", seconds: 4)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/in.ts")))
        // Break sync bytes and cut packets out of the middle of the second GOP.
        let middle = bytes.count / 3
        for i in stride(from: middle, to: middle + 188 * 40, by: 188) { bytes[i] = 0x00 }
        bytes.removeSubrange((middle + 188 * 50)..<(middle + 188 * 50 + 1000))
        let (messages, _, reason) = try await Self.ingest(bytes)
        #expect(reason == "input ended")
        let frames = messages.filter { $0.kind == .video && !$0.isSequenceHeader }
        #expect(frames.count > 50, "most frames survive: \(frames.count)")
        #expect(frames.last.map { $0.timestamp > 3500 } == true, "the stream continues after the damage")
    }
}
