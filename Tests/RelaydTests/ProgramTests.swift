import Foundation
import ProcessTestSupport
import Testing

/// The class's program on the ladder, against the real relayd: with a site on stage another
/// site's player of a rung decodes the teacher's picture (blue) with the on-stage site's (red)
/// inset bottom right; with the stage cleared the rung is the teacher's alone; `_source` is the
/// teacher's untouched stream throughout.
@Suite(.serialized)
struct ProgramTests {
    static let config = RelaydServer.timetableConfig + "publisher:\n  graceSeconds: 2\ntranscode:\n  enabled: true\n  preset: ultrafast\n"

    @Test func aRungCarriesTheOnStageSiteInsetUntilTheStageIsCleared() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let (central, siteA, siteB) = (keys["central"]!, keys["site-a"]!, keys["site-b"]!)
        let teacher = try Self.publishColour("blue", size: "1280x720", kbps: MediaTools.ladderKbps, to: relay.url("math?key=\(central)"))
        defer { teacher.signal(SIGKILL) }
        let site = try Self.publishColour("red", size: "640x360", kbps: 500, to: relay.url("math~site-a?key=\(siteA)"))
        defer { site.signal(SIGKILL) }
        #expect(try await ReturnFeedTests.returnFeeds(relay, count: 1).count == 1)
        let rung = relay.url("math_360p?key=\(siteB)")

        // Before the stage: the rung is the teacher's blue everywhere (once the rung is made).
        #expect(try await Self.waitFor(rung, "all blue", Self.allBlue) != nil)

        let putAt = ContinuousClock.now
        let staged = try await RelayAPI(base: relay.apiBase, token: central).call(
            "PUT", "/classes/math/stage", ["sites": ["site-a"], "layout": "pip"])
        #expect(staged.status == 200, "\(staged.object)")
        let program = try await Self.waitFor(rung, "red inset", Self.redInset)
        #expect(program != nil, "the rung never showed site-a's inset")
        // A figure, not a bound: it includes each ffmpeg player's start and its wait for a keyframe.
        print("program: PUT to a decoded composed picture at a new RTMP player: \(ContinuousClock.now - putAt)")
        // The same rung over HTTP-FLV and SRT carries the program too.
        let flv = "http://127.0.0.1:\(relay.httpPort)/flv/live/math_360p.flv?key=\(siteB)"
        #expect(try await Self.waitFor(flv, "red inset over HTTP-FLV", Self.redInset) != nil)
        let srt = relay.srtURL("math_360p", mode: "request", key: siteB)
        #expect(try await Self.waitFor(srt, "red inset over SRT", Self.redInset) != nil)
        let source = try await Self.waitFor(relay.url("math_source?key=\(siteB)"), "source all blue", Self.allBlue)
        #expect(source != nil, "_source is not the teacher's untouched picture")

        let cleared = try await RelayAPI(base: relay.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": []])
        #expect(cleared.status == 200, "\(cleared.object)")
        #expect(try await Self.waitFor(rung, "all blue again", Self.allBlue) != nil, "the inset stayed after the stage was cleared")
        #expect(relay.child.stderr.contains("program stage"))
        for key in [central, siteA, siteB] { #expect(!relay.child.stderr.contains(key)) }
        #expect(await relay.stop() == 0)
    }

    /// A stage stored before a restart reaches the restarted relay's transcoder from the store
    /// (ProgramStagePoll), with no new PUT.
    @Test func aStageStoredBeforeARestartIsComposedAfterIt() async throws {
        let dir = try makeTemporaryDirectory("relay-stage")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try await RelaydServer(config: Self.config, reuseDataDir: dir)
        let keys = try await ReturnFeedTests.timetable(on: first)
        let (central, siteA, siteB) = (keys["central"]!, keys["site-a"]!, keys["site-b"]!)
        let early = try Self.publishColour("red", size: "640x360", kbps: 500, to: first.url("math~site-a?key=\(siteA)"))
        #expect(try await ReturnFeedTests.returnFeeds(first, count: 1).count == 1)
        let staged = try await RelayAPI(base: first.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": ["site-a"]])
        #expect(staged.status == 200, "\(staged.object)")
        early.signal(SIGKILL)
        #expect(await first.stop() == 0)

        let relay = try await RelaydServer(config: Self.config, reuseDataDir: dir)
        let teacher = try Self.publishColour("blue", size: "1280x720", kbps: MediaTools.ladderKbps, to: relay.url("math?key=\(central)"))
        defer { teacher.signal(SIGKILL) }
        let site = try Self.publishColour("red", size: "640x360", kbps: 500, to: relay.url("math~site-a?key=\(siteA)"))
        defer { site.signal(SIGKILL) }
        let program = try await Self.waitFor(relay.url("math_360p?key=\(siteB)"), "red inset", Self.redInset)
        #expect(program != nil, "the stored stage was not composed after the restart")
        #expect(await relay.stop() == 0)
    }

    /// A solid-colour picture with a tone, at a constant bitrate (so the ladder is made from it).
    static func publishColour(_ colour: String, size: String, kbps: Int, to url: String) throws -> ChildProcess {
        try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re",
                "-f", "lavfi", "-i", "color=c=\(colour):s=\(size):r=25",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "90",
                "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
            ] + MediaTools.constantBitrate(kbps) + ["-c:a", "aac", "-b:a", "64k", "-f", "flv", url])
    }

    static let width = 640, height = 360

    /// One decoded picture of `url`, scaled to 640x360 RGB (nil: none within 20 s).
    static func frame(_ url: String) async throws -> [UInt8]? {
        let file = NSTemporaryDirectory() + "program-\(UUID().uuidString.prefix(8)).rgb"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let (code, _, _) = try await runTool(
            "/usr/bin/ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-i", url, "-frames:v", "1",
                "-vf", "scale=\(width):\(height)", "-f", "rawvideo", "-pix_fmt", "rgb24", "-y", file,
            ], timeout: .seconds(20))
        guard code == 0, let data = FileManager.default.contents(atPath: file), data.count == width * height * 3 else { return nil }
        return [UInt8](data)
    }

    /// Grabs pictures until one satisfies `condition`, for at most 30 s; nil if none did.
    static func waitFor(_ url: String, _ what: String, _ condition: ([UInt8]) -> Bool) async throws -> [UInt8]? {
        let last = try await waitUntil(timeout: .seconds(30), every: .milliseconds(200)) {
            try await frame(url)
        } until: {
            $0.map(condition) == true
        }
        return last.map(condition) == true ? last : nil
    }

    static func pixel(_ picture: [UInt8], _ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
        let i = (y * width + x) * 3
        return (Int(picture[i]), Int(picture[i + 1]), Int(picture[i + 2]))
    }

    static func isBlue(_ p: (r: Int, g: Int, b: Int)) -> Bool { p.b > 150 && p.r < 80 && p.g < 80 }
    static func isRed(_ p: (r: Int, g: Int, b: Int)) -> Bool { p.r > 150 && p.g < 80 && p.b < 80 }

    /// Where the teacher shows in `pip` (away from the inset), and the inset's centre: at 1280x720
    /// the inset is 320x180 with a 20-pixel margin (x 940…1260, y 520…700), here halved.
    static let teacherPoints = [(40, 40), (320, 180), (600, 40), (40, 320), (400, 300)]
    static let insetPoints = [(550, 305), (490, 275), (615, 340)]

    static func allBlue(_ picture: [UInt8]) -> Bool {
        (teacherPoints + insetPoints).allSatisfy { isBlue(pixel(picture, $0.0, $0.1)) }
    }

    static func redInset(_ picture: [UInt8]) -> Bool {
        teacherPoints.allSatisfy { isBlue(pixel(picture, $0.0, $0.1)) } && insetPoints.allSatisfy { isRed(pixel(picture, $0.0, $0.1)) }
    }
}
