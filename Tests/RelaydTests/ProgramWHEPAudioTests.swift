import Foundation
import ProcessTestSupport
import Testing

/// The program's audio for WebRTC viewers, against the real relayd, heard in Chromium (a WebAudio
/// FFT of each viewer's received track: Tests/Browser/whep_tones.py). The teacher sends a 440 Hz
/// tone, site-a's return feed a 1 kHz one (ProgramAudioTests' setup); site-b and site-a each
/// watch the plain name over WHEP with their own key. With site-a on stage site-b's viewer hears
/// both tones; site-a's own viewer hears the teacher without its own tone (its mix-minus); with
/// the stage cleared site-b's viewer hears the teacher alone again.
@Suite(.serialized)
struct ProgramWHEPAudioTests {
    /// Levels in dB of WebAudio's FFT: ffmpeg's tone (1/8 of full scale) is heard around -30 dB,
    /// an absent one lies at the floor (below -100 dB; Opus's noise around a lone tone stays under -80).
    static let heard = -55.0, absent = -80.0

    @Test func aWHEPViewerHearsTheProgramAndTheOnStageSitesOwnViewerItsMixMinus() async throws {
        let relay = try await RelaydServer(config: ProgramTests.config)
        let lesson = try await ProgramAudioTests.lesson(on: relay)
        defer { lesson.stop() }
        let (central, siteA, siteB) = (lesson.central, lesson.siteA, lesson.siteB)
        // The rungs exist (the program's audio is taken from one).
        let rungs = try await waitUntil(timeout: .seconds(40), every: .milliseconds(250)) {
            (try await relay.api.call("GET", "/classes/math/live").object["renditions"] as? [[String: Any]] ?? []).count
        } until: {
            $0 >= 2
        }
        try #require(rungs > 1, "no rungs were made")

        // Viewer 0: site-b's watch of the plain name; viewer 1: site-a's own.
        let stopFile = NSTemporaryDirectory() + "whep-tones-stop-\(UUID().uuidString.prefix(8))"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/whep_tones.py").path
        let browser = try ChildProcess(
            "/usr/bin/python3",
            [
                script, "http://127.0.0.1:\(relay.httpPort)/whep/live/math", "--key", siteB, "--key", siteA,
                "--hz", "\(ProgramAudioTests.teacherHz)", "--hz", "\(ProgramAudioTests.siteHz)", "--seconds", "150", "--stop-file", stopFile,
            ])
        // Chromium is closed by the script itself (a SIGKILL of python would leave it running).
        defer { _ = FileManager.default.createFile(atPath: stopFile, contents: nil) }

        let before = try #require(
            await Self.waitForLevels(browser, after: 0, seconds: 60, "both viewers hear the teacher alone") {
                Self.teacherAlone($0[0]) && Self.teacherAlone($0[1])
            })
        let staged = try await RelayAPI(base: relay.apiBase, token: central).call(
            "PUT", "/classes/math/stage", ["sites": ["site-a"], "layout": "pip"])
        #expect(staged.status == 200, "\(staged.object)")
        let mixed = await Self.waitForLevels(browser, after: before + 1, seconds: 30, "site-b's viewer hears both tones") { Self.bothTones($0[0]) }
        #expect(mixed != nil, "site-b's WebRTC viewer never heard the on-stage site")
        // site-a's viewer moved to its mix-minus (the relay says so) ...
        let moved = await relay.child.waitForOutput(timeout: .seconds(20)) { $0.contains("program audio without site-a") }
        #expect(moved, "site-a's WebRTC viewer was never moved to its mix-minus")
        // ... and, from a second after (the FFT window and the first packets of the new feed),
        // hears the teacher but not itself through 3 s of samples, while site-b hears both.
        let start = Self.samples(browser).count + 2
        let window = try #require(await Self.waitForLevels(browser, after: start + 5, seconds: 20, "3 s of samples") { _ in true })
        let heard = Self.samples(browser)[start...window]
        #expect(heard.allSatisfy { Self.teacherAlone($0[1]) }, "site-a's own WebRTC viewer hears its own classroom: \(heard.map { $0[1] })")
        #expect(heard.allSatisfy { Self.bothTones($0[0]) }, "site-b's WebRTC viewer stopped hearing the program: \(heard.map { $0[0] })")
        print("program audio over WebRTC: site-b \(heard.last?[0] ?? []), site-a \(heard.last?[1] ?? []) (dB at 440 Hz, 1 kHz)")

        let cleared = try await RelayAPI(base: relay.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": []])
        #expect(cleared.status == 200, "\(cleared.object)")
        #expect(
            await Self.waitForLevels(browser, after: window + 1, seconds: 30, "site-b hears the teacher alone again") { Self.teacherAlone($0[0]) }
                != nil,
            "the site's audio stayed in site-b's WebRTC viewer after the stage was cleared")
        _ = FileManager.default.createFile(atPath: stopFile, contents: nil)
        #expect(await browser.wait(timeout: .seconds(30)) == 0, "\(browser.stderr.suffix(2000))")
        try? FileManager.default.removeItem(atPath: stopFile)
        #expect(await relay.stop() == 0)
    }

    static func teacherAlone(_ levels: [Double]) -> Bool { levels[0] > heard && levels[1] < absent }
    static func bothTones(_ levels: [Double]) -> Bool { levels[0] > heard && levels[1] > heard }

    /// Every sample the browser printed so far: per viewer, the dB at 440 Hz and at 1 kHz.
    static func samples(_ browser: ChildProcess) -> [[[Double]]] {
        browser.stdout.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("tones "), let data = line.dropFirst(6).data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return object["levels"] as? [[Double]]
        }
    }

    /// Waits, at most `seconds`, for a sample at index `after` or later for which `condition`
    /// holds; returns its index (nil: none did, the last printed).
    static func waitForLevels(
        _ browser: ChildProcess, after: Int, seconds: Int, _ what: String, _ condition: ([[Double]]) -> Bool
    ) async -> Int? {
        // Until a sample is found or the browser is gone; a wait cut short (cancelled) finds none.
        let last = try? await waitUntil(timeout: .seconds(seconds), every: .milliseconds(200)) { () -> (running: Bool, found: Int?) in
            guard browser.isRunning else { return (false, nil) }
            let all = samples(browser)
            return (true, all.count > after ? all[after...].firstIndex { $0.count == 2 && condition($0) } : nil)
        } until: {
            $0.found != nil || !$0.running
        }
        if let found = last?.found { return found }
        print(
            "program audio over WebRTC: never \(what): last \(samples(browser).last ?? []); browser: \(browser.stdout.suffix(300)) \(browser.stderr.suffix(1500))"
        )
        return nil
    }
}
