import Testing

@testable import Media
@testable import Transcode

/// The mix cut into encoder frames: whole frames only, stamped back to back on the 48 kHz
/// timeline from the teacher's first time, the tones intact across the cuts.
@Suite("Program audio framer")
struct ProgramAudioFramerTests {
    typealias M = ProgramTestMedia
    init() { FFmpegLog.setLevel(.quiet) }

    @Test(arguments: [(1024, 48_000), (960, 44_100), (1024, 44_100)] as [(Int, Int32)])
    func aTeachersMixBecomesWholeFramesOnAContinuousTimeline(frameSamples: Int, teacherRate: Int32) throws {
        let mixer = try ProgramAudioMixer()
        let framer = try ProgramAudioFramer(frameSamples: frameSamples)
        var frames: [(frame: MediaFrame, pts48k: Int64)] = []
        for i in 0..<94 {  // 2 s of 1024-sample teacher frames, starting at 10 s
            let teacher = try M.tone(frequency: 440, amplitude: 0.25, start: Int(teacherRate) * 10 + i * 1024, count: 1024, sampleRate: teacherRate)
            guard let mix = try mixer.mix(teacher: teacher) else { continue }
            frames += try framer.frames(from: mix.program, pts: mix.pts)
        }
        #expect(frames.allSatisfy { $0.frame.pointer.pointee.nb_samples == Int32(frameSamples) })
        #expect(frames.first?.pts48k == 480_000, "the teacher's first time, 10 s")
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $1.pts48k == $0.pts48k + Int64(frameSamples) }, "back to back")
        let samples = frames.flatMap { Array($0.frame.floatChannel(1)) }
        #expect(samples.count >= 88_000)
        let window = samples[48_000..<52_800]
        #expect(abs(M.amplitude(of: 440, in: window) - 0.25) < 0.01, "\(M.amplitude(of: 440, in: window))")
    }
}
