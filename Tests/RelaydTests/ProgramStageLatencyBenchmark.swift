import Foundation
import ProcessTestSupport
import Testing

/// `PROGRAM_BENCH=1 swift test --filter ProgramStageLatencyBenchmark`: the time from `PUT …/stage`
/// to the first composed picture decoded by one RTMP player of the plain name that stays
/// connected (the teacher's 250 kbit/s 720p fits no rung: the program is encoded at the source's
/// size), and from the clear back to the teacher's picture, over `changes` stage changes, each
/// after 3 s on the source (a benchmark's settling time, longer than the teacher's 1 s GOP).
/// Prints p50/p95; asserts no timing.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["PROGRAM_BENCH"] != nil))
struct ProgramStageLatencyBenchmark {
    static let changes = 10

    @Test func stageChangeToPictureAtAnRTMPPlayer() async throws {
        let lesson = try await PlainNameProgramTests.lesson(PlainNameProgramTests.transcodeOn)
        defer { lesson.end() }
        let player = try ContinuousPlayer(url: lesson.relay.url("math?key=\(lesson.siteB)"))
        defer { player.stop() }
        try #require(await player.waitFor(.teacher, count: 25))
        var toProgram: [Duration] = [], toSource: [Duration] = []
        for _ in 0..<Self.changes {
            toProgram.append(try await Self.change(lesson, ["site-a"], until: .program, player))
            toSource.append(try await Self.change(lesson, [], until: .teacher, player))
            // Not a condition, settled: the player is back on the source's own stream (its next keyframe, GOP 1 s,
            // after the next 500 ms look at the stage) before the next change is timed.
            try await Task.sleep(for: .seconds(3))
        }
        print("PUT stage → first composed picture at an RTMP player: \(Self.summary(toProgram))")
        print("PUT stage [] → first teacher's picture again: \(Self.summary(toSource))")
        #expect(await lesson.relay.stop() == 0)
    }

    /// Sets the stage to `sites` and waits (up to 10 s) for the player's first picture of `kind`.
    static func change(_ lesson: PlainNameProgramTests.Lesson, _ sites: [String], until kind: ContinuousPlayer.Picture, _ player: ContinuousPlayer)
        async throws -> Duration
    {
        let seen = player.pictures().count
        let start = ContinuousClock.now
        try #require(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": sites]).status == 200)
        try await waitUntil("a \(kind) picture", timeout: .seconds(10), every: .milliseconds(10)) { player.pictures(from: seen).contains(kind) }
        return ContinuousClock.now - start
    }

    static func summary(_ samples: [Duration]) -> String {
        let ms = samples.map { Int(Double($0.components.attoseconds) / 1e15 + Double($0.components.seconds) * 1000) }.sorted()
        let p = { (q: Double) in ms[min(ms.count - 1, Int((Double(ms.count) * q).rounded(.up)) - 1)] }
        return "p50 \(p(0.5)) ms, p95 \(p(0.95)) ms, min \(ms.first ?? 0), max \(ms.last ?? 0) (\(ms.count) changes: \(ms))"
    }
}
