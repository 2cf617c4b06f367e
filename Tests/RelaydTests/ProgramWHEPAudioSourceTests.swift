import Foundation
import ProcessTestSupport
import Testing

/// Where WebRTC viewers' program sound comes from, against the real relayd, heard in Chromium
/// (Tests/Browser/whep_tones.py; ProgramWHEPAudioTests' setup: the teacher's 440 Hz tone, site-a's
/// 1 kHz one; site-b's viewer and site-a's own). The sound feed takes a rung's audio only, so that rung encodes no
/// pictures for it (the top rung's video is not encoded while its only player is that feed); and
/// with transcoding off (no rung) the sound comes from `_program`.
@Suite(.serialized)
struct ProgramWHEPAudioSourceTests {
    @Test func theProgramsSoundCostsTheTopRungNoVideoEncode() async throws {
        let relay = try await RelaydServer(config: ProgramTests.config)
        let lesson = try await ProgramAudioTests.lesson(on: relay)
        defer { lesson.stop() }
        let (central, siteA, siteB) = (lesson.central, lesson.siteA, lesson.siteB)
        let rungs = try await waitUntil(timeout: .seconds(40), every: .milliseconds(250)) {
            (try await relay.api.call("GET", "/classes/math/live").object["renditions"] as? [[String: Any]] ?? []).compactMap {
                $0["name"] as? String
            }
        } until: {
            $0.contains("720p")
        }
        try #require(rungs.contains("720p") && rungs.contains("360p"), "rungs made: \(rungs)")

        // site-b's and site-a's viewers play the 360p rung; nobody plays 720p's pictures.
        let browser = try Self.listen("http://127.0.0.1:\(relay.httpPort)/whep/live/math_360p", relay: relay, keys: [siteB, siteA])
        defer { browser.stop() }
        let before = try #require(
            await ProgramWHEPAudioTests.waitForLevels(browser.child, after: 0, seconds: 60, "the teacher alone") {
                ProgramWHEPAudioTests.teacherAlone($0[0])
            })
        #expect(try await RelayAPI(base: relay.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        let mixed = await ProgramWHEPAudioTests.waitForLevels(browser.child, after: before + 1, seconds: 30, "both tones") {
            ProgramWHEPAudioTests.bothTones($0[0])
        }
        #expect(mixed != nil, "site-b's WebRTC viewer never heard the on-stage site")
        // The sound came from the 720p rung ...
        #expect(Self.logLines(relay).contains { $0.contains("follows the stage") && $0.contains("math_720p program audio") })
        // ... whose pictures were never encoded (360p's were: the line is logged), through 3 s more of the program.
        let later = try #require(
            await ProgramWHEPAudioTests.waitForLevels(browser.child, after: (mixed ?? before) + 6, seconds: 20, "3 s more") { _ in true })
        let heard = ProgramWHEPAudioTests.samples(browser.child)[(mixed ?? before)...later]
        #expect(heard.allSatisfy { ProgramWHEPAudioTests.bothTones($0[0]) }, "\(heard)")
        #expect(heard.suffix(3).allSatisfy { ProgramWHEPAudioTests.teacherAlone($0[1]) }, "site-a's own viewer hears itself: \(heard)")
        #expect(Self.logLines(relay).contains { $0.contains("rung video started") && $0.contains("math_360p") })
        let encoded720 = Self.logLines(relay).filter { $0.contains("rung video started") && $0.contains("math_720p") }
        #expect(encoded720.isEmpty, "the 720p rung encoded pictures nobody watched: \(encoded720)")
        browser.stop()
        #expect(await browser.child.wait(timeout: .seconds(30)) == 0, "\(browser.child.stderr.suffix(2000))")
        try? FileManager.default.removeItem(atPath: browser.stopFile)
        #expect(await relay.stop() == 0)
    }

    @Test func withTranscodingOffAWHEPViewerHearsTheProgramFromTheSourceSizedProgram() async throws {
        let relay = try await RelaydServer(config: PlainNameProgramTests.config + PlainNameProgramTests.transcodeOff)
        let lesson = try await ProgramAudioTests.lesson(on: relay)
        defer { lesson.stop() }
        let (central, siteA, siteB) = (lesson.central, lesson.siteA, lesson.siteB)

        let browser = try Self.listen("http://127.0.0.1:\(relay.httpPort)/whep/live/math", relay: relay, keys: [siteB, siteA])
        defer { browser.stop() }
        let before = try #require(
            await ProgramWHEPAudioTests.waitForLevels(browser.child, after: 0, seconds: 60, "the teacher alone") {
                ProgramWHEPAudioTests.teacherAlone($0[0])
            })
        let stage = RelayAPI(base: relay.apiBase, token: central)
        #expect(try await stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        let mixed = await ProgramWHEPAudioTests.waitForLevels(browser.child, after: before + 1, seconds: 30, "both tones") {
            ProgramWHEPAudioTests.bothTones($0[0])
        }
        #expect(mixed != nil, "with transcoding off, site-b's WebRTC viewer never heard the on-stage site")
        #expect(Self.logLines(relay).contains { $0.contains("follows the stage") && $0.contains("math_program program audio") })
        // site-a's own viewer gets `_program`'s mix-minus: the teacher without itself.
        let own = await ProgramWHEPAudioTests.waitForLevels(browser.child, after: (mixed ?? before) + 4, seconds: 20, "site-a's mix-minus") {
            ProgramWHEPAudioTests.teacherAlone($0[1]) && ProgramWHEPAudioTests.bothTones($0[0])
        }
        #expect(own != nil, "site-a's own WebRTC viewer did not get the program without itself")

        #expect(try await stage.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)
        #expect(
            await ProgramWHEPAudioTests.waitForLevels(browser.child, after: (mixed ?? before) + 1, seconds: 30, "the teacher alone again") {
                ProgramWHEPAudioTests.teacherAlone($0[0])
            } != nil, "the site's sound stayed after the stage was cleared")
        browser.stop()
        #expect(await browser.child.wait(timeout: .seconds(30)) == 0, "\(browser.child.stderr.suffix(2000))")
        try? FileManager.default.removeItem(atPath: browser.stopFile)
        #expect(await relay.stop() == 0)
    }

    /// whep_tones.py playing `url` once per key (440 Hz and 1 kHz measured); `stop` ends it
    /// (the script closes Chromium itself).
    struct Listener {
        let child: ChildProcess
        let stopFile: String
        func stop() {
            if !FileManager.default.fileExists(atPath: stopFile) { _ = FileManager.default.createFile(atPath: stopFile, contents: nil) }
        }
    }

    static func listen(_ url: String, relay: RelaydServer, keys: [String]) throws -> Listener {
        let stopFile = NSTemporaryDirectory() + "whep-tones-stop-\(UUID().uuidString.prefix(8))"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/whep_tones.py").path
        let child = try ChildProcess(
            "/usr/bin/python3",
            [script, url] + keys.flatMap { ["--key", $0] } + [
                "--hz", "\(ProgramAudioTests.teacherHz)", "--hz", "\(ProgramAudioTests.siteHz)", "--seconds", "150", "--stop-file", stopFile,
            ])
        return Listener(child: child, stopFile: stopFile)
    }

    static func logLines(_ relay: RelaydServer) -> [Substring] {
        (relay.child.stdout + "\n" + relay.child.stderr).split(separator: "\n")
    }
}
