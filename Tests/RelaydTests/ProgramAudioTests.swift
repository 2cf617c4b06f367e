import Foundation
import ProcessTestSupport
import Testing

/// The class's program audio on the ladder, against the real relayd: the teacher sends a 440 Hz
/// tone, site-a's return feed a 1 kHz one. With site-a on stage another site's player of a rung
/// hears both; site-a's own players (its key: RTMP, HTTP-FLV and SRT) hear the teacher without
/// their own tone (mix-minus); `_source` is the teacher's tone alone; with the stage cleared the
/// rung is the teacher's tone alone again.
@Suite(.serialized)
struct ProgramAudioTests {
    static let teacherHz = 440.0, siteHz = 1000.0

    @Test func aRungMixesTheOnStageSiteAndItsOwnPlayersGetTheMixMinus() async throws {
        let relay = try await RelaydServer(config: ProgramTests.config)
        let lesson = try await ProgramAudioTests.lesson(on: relay)
        defer { lesson.stop() }
        let (central, siteA, siteB) = (lesson.central, lesson.siteA, lesson.siteB)
        let rung = relay.url("math_360p?key=\(siteB)")
        #expect(try await Self.waitFor(rung, "the teacher's tone alone", Self.teacherAlone) != nil)

        let staged = try await RelayAPI(base: relay.apiBase, token: central).call(
            "PUT", "/classes/math/stage", ["sites": ["site-a"], "layout": "pip"])
        #expect(staged.status == 200, "\(staged.object)")
        let mixed = try await Self.waitFor(rung, "both tones", Self.bothTones)
        #expect(mixed != nil, "another site's player never heard the on-stage site")
        let own = try await Self.waitFor(relay.url("math_360p?key=\(siteA)"), "the teacher without site-a", Self.teacherAlone)
        #expect(own != nil, "site-a's own RTMP player hears its own classroom (no mix-minus)")
        print("program audio: site-b's player \(mixed.map(Self.levels) ?? "-"); site-a's own player \(own.map(Self.levels) ?? "-")")
        // Joining mid-stage, from its very first packet (the cached GOP's audio, and the frames
        // before the rung's encoder of its mix-minus has its first packet), site-a's player never
        // hears its own classroom: not even the 20-30 ms that reached it before, measured over
        // its first half second (the 1 kHz tone's leak through AAC alone is ~1e-4). Twice: a join
        // right after a keyframe has little cached.
        for _ in 0..<2 {
            let fromJoin = try #require(await Self.audio(relay.url("math_360p?key=\(siteA)"), skipping: 0, atLeast: 1.5))
            let start = Array(fromJoin.prefix(Self.sampleRate / 2))
            #expect(Self.hears(Self.teacherHz, fromJoin) && Self.silent(Self.siteHz, fromJoin), "\(Self.levels(fromJoin))")
            #expect(
                Self.amplitude(of: Self.siteHz, in: start) < 0.0015,
                "site-a's joining player heard its own classroom at first: \(Self.levels(start))")
            print("program audio: site-a's player from its join: \(Self.levels(fromJoin)); its first half second \(Self.levels(start))")
        }
        let ownFLV = "http://127.0.0.1:\(relay.httpPort)/flv/live/math_360p.flv?key=\(siteA)"
        #expect(
            try await Self.waitFor(ownFLV, "the teacher without site-a over HTTP-FLV", Self.teacherAlone) != nil,
            "site-a's own HTTP-FLV player hears its own classroom")
        // SRT: each school's players share a playout of their own, so site-a's takes its
        // mix-minus and site-b's the whole program.
        #expect(
            try await Self.waitFor(relay.srtURL("math_360p", mode: "request", key: siteA), "the teacher without site-a over SRT", Self.teacherAlone)
                != nil, "site-a's own SRT player hears its own classroom")
        #expect(
            try await Self.waitFor(relay.srtURL("math_360p", mode: "request", key: siteB), "both tones over SRT", Self.bothTones) != nil,
            "another site's SRT player does not hear the on-stage site")
        // Still mixed for the other site while site-a's players take the mix-minus.
        #expect(try await Self.waitFor(rung, "both tones again", Self.bothTones) != nil)
        let source = try await Self.waitFor(relay.url("math_source?key=\(siteB)"), "source: the teacher's tone alone", Self.teacherAlone)
        #expect(source != nil, "_source is not the teacher's untouched audio")

        let cleared = try await RelayAPI(base: relay.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": []])
        #expect(cleared.status == 200, "\(cleared.object)")
        #expect(
            try await Self.waitFor(rung, "the teacher's tone alone again", Self.teacherAlone) != nil,
            "the site's audio stayed after the stage was cleared")
        #expect(await relay.stop() == 0)
    }

    /// The class of ``ReturnFeedTests/timetable(on:)`` live: the teacher blue with a 440 Hz tone
    /// at the ladder's bitrate, site-a's return feed red with a 1 kHz tone, both publishing.
    struct Lesson {
        let central: String, siteA: String, siteB: String
        let teacher: ChildProcess, site: ChildProcess
        func stop() {
            teacher.signal(SIGKILL)
            site.signal(SIGKILL)
        }
    }

    static func lesson(on relay: RelaydServer) async throws -> Lesson {
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let (central, siteA, siteB) = (keys["central"]!, keys["site-a"]!, keys["site-b"]!)
        let teacher = try publish("blue", size: "1280x720", kbps: MediaTools.ladderKbps, tone: teacherHz, to: relay.url("math?key=\(central)"))
        let site: ChildProcess
        do {
            site = try publish("red", size: "640x360", kbps: 500, tone: siteHz, to: relay.url("math~site-a?key=\(siteA)"))
        } catch {
            teacher.signal(SIGKILL)
            throw error
        }
        let lesson = Lesson(central: central, siteA: siteA, siteB: siteB, teacher: teacher, site: site)
        #expect(try await ReturnFeedTests.returnFeeds(relay, count: 1).count == 1)
        return lesson
    }

    /// A solid-colour picture with a sine tone, at a constant bitrate (so the ladder is made from it).
    static func publish(_ colour: String, size: String, kbps: Int, tone: Double, to url: String) throws -> ChildProcess {
        try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "color=c=\(colour):s=\(size):r=25",
                "-f", "lavfi", "-i", "sine=frequency=\(Int(tone)):sample_rate=44100", "-t", "120",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
            ] + MediaTools.constantBitrate(kbps) + ["-c:a", "aac", "-b:a", "64k", "-f", "flv", url])
    }

    static let sampleRate = 48_000

    /// 4 s of `url`'s audio as mono float PCM at 48 kHz, without its first `skipping` seconds (by
    /// default 2.5: a new player starts with the stream's cached pictures and their audio, from
    /// before what is tested); nil with less than `atLeast` seconds left.
    static func audio(_ url: String, skipping: Double = 2.5, atLeast: Double = 0.5) async throws -> [Float]? {
        let file = NSTemporaryDirectory() + "program-audio-\(UUID().uuidString.prefix(8)).f32"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (code, _, _) = try await runTool(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-i", url, "-vn", "-t", "4",
                "-ac", "1", "-ar", "\(sampleRate)", "-f", "f32le", "-y", file,
            ], timeout: .seconds(20))
        let skipped = Int(Double(sampleRate) * skipping)
        guard code == 0, let data = FileManager.default.contents(atPath: file), data.count >= 4 * (skipped + Int(Double(sampleRate) * atLeast))
        else { return nil }
        let samples = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return Array(samples.dropFirst(skipped))
    }

    /// Captures until one capture satisfies `condition`, for at most 45 s; nil if none did.
    static func waitFor(_ url: String, _ what: String, _ condition: ([Float]) -> Bool) async throws -> [Float]? {
        var last: [Float]?
        let samples = try await waitUntil(timeout: .seconds(45), every: .milliseconds(200)) {
            let samples = try await audio(url)
            last = samples ?? last
            return samples
        } until: {
            $0.map(condition) == true
        }
        if let samples, condition(samples) { return samples }
        print("program audio: never \(what) at \(url.prefix(40)): \(last.map(levels) ?? "no audio")")
        return nil
    }

    /// The amplitude of `frequency` in `samples` (Goertzel over the whole window).
    static func amplitude(of frequency: Double, in samples: [Float]) -> Double {
        let coefficient = 2 * cos(2 * Double.pi * frequency / Double(sampleRate))
        var (previous, beforePrevious) = (0.0, 0.0)
        for sample in samples {
            let current = Double(sample) + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        let power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
        return 2 * sqrt(max(power, 0)) / Double(samples.count)
    }

    /// ffmpeg's sine source is at 1/8 of full scale: present well above 0.04, absent below 0.01.
    static func hears(_ frequency: Double, _ samples: [Float]) -> Bool { amplitude(of: frequency, in: samples) > 0.04 }
    static func silent(_ frequency: Double, _ samples: [Float]) -> Bool { amplitude(of: frequency, in: samples) < 0.01 }

    static func bothTones(_ samples: [Float]) -> Bool { hears(teacherHz, samples) && hears(siteHz, samples) }
    static func teacherAlone(_ samples: [Float]) -> Bool { hears(teacherHz, samples) && silent(siteHz, samples) }

    static func levels(_ samples: [Float]) -> String {
        "440 Hz \(amplitude(of: teacherHz, in: samples)), 1 kHz \(amplitude(of: siteHz, in: samples))"
    }
}
