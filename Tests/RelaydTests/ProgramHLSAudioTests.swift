import Foundation
import ProcessTestSupport
import Testing

/// Mix-minus over HLS, against the real relayd: an HLS player of site-a (ffmpeg, its key) plays
/// a rung from before site-a goes on stage until after the stage is cleared. While site-a is on
/// stage, another site's HLS player hears both tones, and site-a's keeps hearing the teacher
/// without its own classroom (its own copy of the variant, numbered as the shared one, so the
/// player moves to it and back without losing its place: its audio grows in real time throughout).
@Suite(.serialized)
struct ProgramHLSAudioTests {
    typealias Tones = ProgramAudioTests

    @Test func anOnStageSitesHLSPlayerGetsItsMixMinusAndGoesOnAcrossTheStage() async throws {
        let relay = try await RelaydServer(config: ProgramTests.config)
        let lesson = try await Tones.lesson(on: relay)
        defer { lesson.stop() }
        let base = "http://127.0.0.1:\(relay.httpPort)/hls/live/math"
        // The 360p rung's media playlist as a site's player is given it (its token, not its key).
        func hls(_ key: String) async throws -> String {
            let master = try await waitUntil(timeout: .seconds(20), every: .milliseconds(200)) {
                try await Curl.call(base + "/index.m3u8?key=\(key)")
            } until: {
                $0.body.contains("\n360p/")
            }
            let uri = try #require(master.body.split(separator: "\n").first { $0.hasPrefix("360p/") }, "\(master.status) \(master.body)")
            return base + "/" + uri
        }
        let siteAPlaylist = try await hls(lesson.siteA)
        let file = NSTemporaryDirectory() + "program-hls-\(UUID().uuidString.prefix(8)).f32"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let player = try ChildProcess(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-i", siteAPlaylist, "-vn", "-t", "60",
                "-ac", "1", "-ar", "\(Tones.sampleRate)", "-f", "f32le", "-y", file,
            ])
        defer { player.signal(SIGKILL) }
        let seconds = { () -> Double in
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            return Double(bytes / 4) / Double(Tones.sampleRate)
        }
        let playing = try await waitUntil(timeout: .seconds(30), every: .milliseconds(100)) {
            seconds()
        } until: {
            $0 >= 3
        }
        #expect(playing >= 3, "site-a's HLS player never started")
        let beforeStage = seconds()

        let staged = try await RelayAPI(base: relay.apiBase, token: lesson.central).call(
            "PUT", "/classes/math/stage", ["sites": ["site-a"], "layout": "pip"])
        #expect(staged.status == 200, "\(staged.object)")
        let mixed = try await Tones.waitFor(try await hls(lesson.siteB), "both tones over HLS", Tones.bothTones)
        #expect(mixed != nil, "another site's HLS player never heard the on-stage site")
        // site-a's player goes on in real time for 12 s of its media after the rung is mixed.
        let mixedAt = seconds()
        let onStage = ContinuousClock.now
        let grew = try await waitUntil(timeout: .seconds(30), every: .milliseconds(200)) {
            seconds()
        } until: {
            $0 >= mixedAt + 12
        }
        #expect(grew >= mixedAt + 12, "site-a's HLS player stalled on stage at \(grew) s (from \(mixedAt) s)")
        print("program hls: 12 s of site-a's media in \(ContinuousClock.now - onStage)")

        let cleared = try await RelayAPI(base: relay.apiBase, token: lesson.central).call("PUT", "/classes/math/stage", ["sites": []])
        #expect(cleared.status == 200, "\(cleared.object)")
        let clearedAt = seconds()
        let after = try await waitUntil(timeout: .seconds(30), every: .milliseconds(200)) {
            seconds()
        } until: {
            $0 >= clearedAt + 8
        }
        #expect(after >= clearedAt + 8, "site-a's HLS player stalled when it left the stage at \(after) s (from \(clearedAt) s)")
        player.signal(SIGINT)
        _ = await player.wait(timeout: .seconds(10))

        let data = try #require(FileManager.default.contents(atPath: file))
        let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let window = Tones.sampleRate / 2
        let windows = stride(from: 0, to: samples.count - window, by: window).map { Array(samples[$0..<($0 + window)]) }
        let heardItself = windows.enumerated().filter { Tones.amplitude(of: Tones.siteHz, in: $0.element) >= 0.01 }.map(\.offset)
        let teacherMissing = windows.enumerated().filter { !Tones.hears(Tones.teacherHz, $0.element) }.map(\.offset)
        print(
            "program hls: site-a's player \(windows.count / 2) s; stage from ~\(beforeStage) s, mixed for others at \(mixedAt) s, cleared at \(clearedAt) s;"
                + " own tone in half-seconds \(heardItself), teacher missing in \(teacherMissing)")
        #expect(heardItself.isEmpty, "site-a's HLS player heard its own classroom in half-seconds \(heardItself)")
        #expect(teacherMissing.count <= 1, "site-a's HLS player lost the teacher in half-seconds \(teacherMissing)")
        #expect(await relay.stop() == 0)
    }
}
