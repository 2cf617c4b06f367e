import CFFmpeg
import Foundation
import NIOCore
import RelayCore
import Testing

@testable import Media
@testable import Transcode

/// Prints what composing and mixing cost on this machine (docs/benchmarks.md); asserts only
/// that the work was done, never how fast.
@Suite("Program cost (prints, no timing asserted)")
struct ProgramCostMeasurement {
    typealias M = ProgramTestMedia
    init() { FFmpegLog.setLevel(.quiet) }

    @Test(arguments: ProgramLayout.allCases)
    func oneSiteOf360pIntoA720p30Teacher(layout: ProgramLayout) throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a"], layout: layout)
        let teachers = try (0..<2).map { try M.solid($0 == 0 ? M.blue : M.green, width: 1280, height: 720) }
        let sites = try (0..<2).map { try M.solid($0 == 0 ? M.red : M.black, width: 640, height: 360) }
        let pictures = 300
        let clock = ContinuousClock()
        let cpuBefore = threadCPUSeconds()
        let elapsed = try clock.measure {
            for i in 0..<pictures {
                try compositor.update(site: "a", picture: sites[i % 2])  // a new site picture every time
                teachers[i % 2].pointer.pointee.pts = Int64(i) * 33
                _ = try compositor.compose(teacher: teachers[i % 2])
            }
        }
        let cpu = threadCPUSeconds() - cpuBefore
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "program compositor, 360p site into 720p (%@): %.0f pictures/s, %.2f ms CPU each, %.3f core at 30 fps",
                layout.rawValue, Double(pictures) / seconds, cpu * 1000 / Double(pictures), cpu / Double(pictures) * 30))
        #expect(compositor.graphBuilds == 1)
    }

    @Test func aStageChangeRebuildsTheGraphInAPicturesTime() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        let teacher = try M.solid(M.blue, width: 1280, height: 720)
        let site = try M.solid(M.red, width: 640, height: 360)
        let changes = 40
        let before = threadCPUSeconds()
        for i in 0..<changes {
            compositor.setStage(["a"], layout: i % 2 == 0 ? .pip : .sideBySide)
            try compositor.update(site: "a", picture: site)
            teacher.pointer.pointee.pts = Int64(i) * 33
            _ = try compositor.compose(teacher: teacher)
        }
        let cpu = threadCPUSeconds() - before
        print(String(format: "program compositor, a stage change (new graph + its first 720p picture): %.2f ms CPU", cpu * 1000 / Double(changes)))
        #expect(compositor.graphBuilds == changes)
    }

    @Test func mixingTheTeacherAndOneSite() throws {
        let mixer = try ProgramAudioMixer()
        mixer.setStage(["a"])
        let site = try M.tone(frequency: 1000, amplitude: 0.25, start: 0, count: 1024)
        let teacher = try M.tone(frequency: 440, amplitude: 0.25, start: 0, count: 1024)
        let mixCPUBefore = threadCPUSeconds()
        for _ in 0..<470 {  // 10 s of 1024-sample frames
            try mixer.add(site: "a", frame: site)
            #expect(try mixer.mix(teacher: teacher) != nil)
        }
        let mixCPU = threadCPUSeconds() - mixCPUBefore
        print(String(format: "program audio mixer, teacher + 1 site, 48 kHz stereo: %.3f core (a debug build)", mixCPU / 10))
    }

    /// What each on-stage site adds to a watched rung's audio: one more AAC encode (its
    /// mix-minus) per teacher frame, at the 720p rung's 96 kbit/s.
    @Test func oneMixMinusEncodePerRung() throws {
        // RungAudioEncoder's settings (it takes them from a decoder that has decoded a frame).
        let encoder = try CodecContext(encoderNamed: "aac")
        encoder.pointer.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        encoder.pointer.pointee.sample_rate = 48_000
        av_channel_layout_default(&encoder.pointer.pointee.ch_layout, 2)
        encoder.pointer.pointee.bit_rate = 96_000
        encoder.pointer.pointee.time_base = AVRational(num: 1, den: 48_000)
        try encoder.openEncoder()
        let frames = try (0..<2).map { try M.tone(frequency: $0 == 0 ? 440 : 1000, amplitude: 0.25, start: 0, count: 1024) }
        let before = threadCPUSeconds()
        var packets = 0
        for i in 0..<470 {  // 10 s of 1024-sample frames
            frames[i % 2].pointer.pointee.pts = Int64(i) * 1024
            packets += try encoder.encode(frames[i % 2]).count
        }
        let cpu = threadCPUSeconds() - before
        print(String(format: "program audio: one mix-minus AAC encode (96 kbit/s, 48 kHz stereo): %.3f core (a debug build)", cpu / 10))
        #expect(packets > 400)
    }

    @Test func decodingA360pSiteFeed() throws {
        // 10 s of a moving 360p30 picture at the 360p rung's 450 kbit/s, then decoded alone.
        let rung = Rendition(name: "360p", width: 640, height: 360, videoKbps: 450, audioKbps: 48)
        let encoder = try RungEncoder(rendition: rung, fps: 30, settings: TranscodeSettings(preset: "veryfast"))
        let picture = try MediaFrame(yuv420pWidth: 640, height: 360)
        var messages: [MediaMessage] = []
        for i in 0..<300 {
            try picture.makeWritable()
            for plane in 0..<3 {
                let (base, stride) = picture.plane(plane)
                for y in 0..<(plane == 0 ? 360 : 180) {
                    for x in 0..<(plane == 0 ? 640 : 320) { base[y * stride + x] = UInt8(truncatingIfNeeded: x &+ y &* 3 &+ i &* 4 &+ plane &* 60) }
                }
            }
            try encoder.encode(picture, pts: Int64(i * 33), keyframe: i % 60 == 0, allocator: ByteBufferAllocator()) { messages.append($0) }
        }
        let decoder = try VideoDecoder(record: Array(encoder.sequenceHeader.dropFirst(5)))
        var decoded = 0
        let before = threadCPUSeconds()
        for message in messages {
            var payload = message.payload
            payload.moveReaderIndex(forwardBy: 5)
            try payload.withUnsafeReadableBytes {
                try decoder.send($0, pts: Int64(message.timestamp), dts: Int64(message.timestamp), keyframe: message.isKeyframe)
            }
            while try decoder.receive() { decoded += 1 }
        }
        let cpu = threadCPUSeconds() - before
        let kbps = messages.reduce(0) { $0 + $1.payload.readableBytes } * 8 / 10 / 1000
        print(
            String(format: "decoding a 360p30 site feed (%d kbit/s): %.2f ms CPU a picture, %.3f core", kbps, cpu * 1000 / Double(decoded), cpu / 10))
        #expect(decoded >= 290)
    }

    /// CPU time this thread has used.
    func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
