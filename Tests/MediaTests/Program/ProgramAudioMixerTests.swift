import Testing

@testable import Media
@testable import Transcode

/// The program's sound without a relay: the teacher's 440 Hz and a site's 1000 Hz (each at
/// 0.25 of full scale) mixed; both tones at their own level in the program, only the teacher's
/// in the site's mix-minus. Levels measured with a Goertzel filter over 100 ms windows.
@Suite("Program audio mixer")
struct ProgramAudioMixerTests {
    typealias M = ProgramTestMedia
    init() { FFmpegLog.setLevel(.quiet) }

    /// Feeds 2 s: 1024-sample teacher frames, and the site's frames (`siteFrame` samples at
    /// `siteRate`, mono) up to the teacher's time; returns channel 0 of the program and of the
    /// site's mix-minus, and the mixes' times.
    func mixTwoSeconds(
        _ mixer: ProgramAudioMixer, siteSends: Bool = true, siteFrame: Int = 960, siteRate: Int32 = 48_000
    ) throws -> (program: [Float], minus: [Float], times: [Int64]) {
        var program: [Float] = []
        var minus: [Float] = []
        var times: [Int64] = []
        var siteSent = 0
        for i in 0..<94 {
            let start = i * 1024
            while siteSends, siteSent * 48_000 < (start + 1024) * Int(siteRate) {
                let frame = try M.tone(frequency: 1000, amplitude: 0.25, start: siteSent, count: siteFrame, channels: 1, sampleRate: siteRate)
                try mixer.add(site: "a", frame: frame)
                siteSent += siteFrame
            }
            let mix = try #require(try mixer.mix(teacher: M.tone(frequency: 440, amplitude: 0.25, start: start, count: 1024)))
            times.append(mix.pts)
            program += mix.program.floatChannel(0)
            minus += try #require(mix.mixMinus["a"]).floatChannel(0)
            #expect(Array(mix.program.floatChannel(1)) == Array(mix.program.floatChannel(0)), "both channels alike")
        }
        return (program, minus, times)
    }

    @Test(arguments: [(960, 48_000), (1024, 44_100)] as [(Int, Int32)])
    func theProgramHasBothTonesAndTheMixMinusOnlyTheTeachers(siteFrame: Int, siteRate: Int32) throws {
        let mixer = try ProgramAudioMixer()
        mixer.setStage(["a"])
        let (program, minus, times) = try mixTwoSeconds(mixer, siteFrame: siteFrame, siteRate: siteRate)
        #expect(program.count == 94 * 1024, "as many samples as the teacher sent")
        let teacherTimes: [Int64] = (0..<94).map { (i: Int) -> Int64 in Int64(i * 1024 * 1000 / 48_000) }
        #expect(times == teacherTimes, "the teacher's times")
        for window in [24_000, 48_000, 72_000] {
            let p = program[window..<(window + 4_800)]
            let m = minus[window..<(window + 4_800)]
            #expect(abs(M.amplitude(of: 440, in: p) - 0.25) < 0.02, "the teacher at its level: \(M.amplitude(of: 440, in: p))")
            #expect(abs(M.amplitude(of: 1000, in: p) - 0.25) < 0.02, "the site at its level: \(M.amplitude(of: 1000, in: p))")
            #expect(abs(M.amplitude(of: 440, in: m) - 0.25) < 0.02, "mix-minus: the teacher")
            #expect(M.amplitude(of: 1000, in: m) < 0.005, "mix-minus: not the site's own voice: \(M.amplitude(of: 1000, in: m))")
        }
    }

    @Test func aSiteThatSendsNothingCostsNothingAndTheTeacherKeepsTime() throws {
        let mixer = try ProgramAudioMixer()
        mixer.setStage(["a"])
        let (program, minus, times) = try mixTwoSeconds(mixer, siteSends: false)
        #expect(times.count == 94)
        #expect(program == minus, "nothing of the site to take away")
        let window = program[48_000..<52_800]
        #expect(abs(M.amplitude(of: 440, in: window) - 0.25) < 0.01)
        #expect(M.amplitude(of: 1000, in: window) < 0.005)
    }

    @Test func aSiteOffStageIsNotHeardAndLoudVoicesClip() throws {
        let mixer = try ProgramAudioMixer()
        mixer.setStage([])
        try mixer.add(site: "a", frame: M.tone(frequency: 1000, amplitude: 0.25, start: 0, count: 1024))
        let alone = try #require(try mixer.mix(teacher: M.tone(frequency: 440, amplitude: 0.25, start: 0, count: 1024)))
        #expect(alone.mixMinus.isEmpty)
        #expect(M.amplitude(of: 1000, in: Array(alone.program.floatChannel(0))[...]) < 0.005)

        mixer.setStage(["a"])
        try mixer.add(site: "a", frame: M.tone(frequency: 440, amplitude: 0.9, start: 1024, count: 1024))
        try mixer.add(site: "a", frame: M.tone(frequency: 440, amplitude: 0.9, start: 2048, count: 1024))  // the prebuffer
        let loud = try #require(try mixer.mix(teacher: M.tone(frequency: 440, amplitude: 0.9, start: 1024, count: 1024)))
        let samples = Array(loud.program.floatChannel(0))
        #expect(samples.allSatisfy { abs($0) <= 1 }, "clipped at full scale")
        #expect(samples.max() == 1, "two 0.9 tones in phase reach it")
    }
}
