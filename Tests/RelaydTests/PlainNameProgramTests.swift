import Foundation
import ProcessTestSupport
import Testing

/// The program on the class's plain name at the source's size, against the real relayd: a
/// teacher whose 250 kbit/s 720p fits no rung, so the plain name's players get the source; with
/// a site on stage they get the teacher's picture with the site's inset instead (one encode at
/// the source's size), `_source` stays the teacher's, and with the stage cleared they get the
/// source again, in the same connection with continuous frame times. With transcoding off the
/// plain name carries the program the same way.
@Suite(.serialized)
struct PlainNameProgramTests {
    static let config = RelaydServer.timetableConfig + "publisher:\n  graceSeconds: 2\n"
    static let transcodeOn = "transcode:\n  enabled: true\n  preset: ultrafast\n"
    static let transcodeOff = "transcode:\n  enabled: false\n  preset: ultrafast\n"

    struct Lesson {
        let relay: RelaydServer
        let keys: [String: String]
        let teacher: ChildProcess
        let site: ChildProcess
        var siteB: String { keys["site-b"]! }
        var stage: RelayAPI { RelayAPI(base: relay.apiBase, token: keys["central"]!) }
        func end() {
            teacher.signal(SIGKILL)
            site.signal(SIGKILL)
        }
    }

    /// A relay with class `math`, the teacher in blue at 250 kbit/s 720p (fits no rung) and
    /// site-a's return feed in red.
    static func lesson(_ transcode: String, auth: String = config) async throws -> Lesson {
        let relay = try await RelaydServer(config: auth + transcode)
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let teacher = try ProgramTests.publishColour("blue", size: "1280x720", kbps: 250, to: relay.url("math?key=\(keys["central"]!)"))
        let site = try ProgramTests.publishColour("red", size: "640x360", kbps: 500, to: relay.url("math~site-a?key=\(keys["site-a"]!)"))
        #expect(try await ReturnFeedTests.returnFeeds(relay, count: 1).count == 1)
        return Lesson(relay: relay, keys: keys, teacher: teacher, site: site)
    }

    @Test func thePlainNameOfASourceThatFitsNoRungCarriesTheProgram() async throws {
        let lesson = try await Self.lesson(Self.transcodeOn)
        defer { lesson.end() }
        let plain = lesson.relay.url("math?key=\(lesson.siteB)")
        #expect(try await ProgramTests.waitFor(plain, "all blue", ProgramTests.allBlue) != nil)
        let decided = await lesson.relay.child.waitForOutput(timeout: .seconds(20)) { $0.contains("no rung fits the source") }
        #expect(decided, "the 250 kbit/s source fed a rung: this test is about the source's players")

        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        #expect(try await ProgramTests.waitFor(plain, "red inset", ProgramTests.redInset) != nil, "the plain name is not the program")
        let flv = "http://127.0.0.1:\(lesson.relay.httpPort)/flv/live/math.flv?key=\(lesson.siteB)"
        #expect(try await ProgramTests.waitFor(flv, "red inset over HTTP-FLV", ProgramTests.redInset) != nil)
        let srt = lesson.relay.srtURL("math", mode: "request", key: lesson.siteB)
        #expect(try await ProgramTests.waitFor(srt, "red inset over SRT", ProgramTests.redInset) != nil)
        let source = lesson.relay.url("math_source?key=\(lesson.siteB)")
        #expect(try await ProgramTests.waitFor(source, "_source all blue", ProgramTests.allBlue) != nil)
        #expect(try await SourceFitTests.size(plain) == "1280,720", "the program is not at the source's size")

        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)
        #expect(try await ProgramTests.waitFor(plain, "all blue again", ProgramTests.allBlue) != nil)
        #expect(await lesson.relay.stop() == 0)
    }

    /// In open mode no player's downlink is known (no key, no `player.defaultBandwidthKbps`), so
    /// an SRT player of the plain name does not adapt; it follows the program all the same.
    @Test func anSRTPlayerWhoseDownlinkIsUnknownFollowsTheProgram() async throws {
        let lesson = try await Self.lesson(Self.transcodeOn, auth: RelaydServer.openConfig(graceSeconds: 2))
        defer { lesson.end() }
        let srt = lesson.relay.srtURL("math", mode: "request")
        #expect(try await ProgramTests.waitFor(srt, "all blue over SRT", ProgramTests.allBlue) != nil)
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        #expect(
            try await ProgramTests.waitFor(srt, "red inset over SRT", ProgramTests.redInset) != nil,
            "an SRT player without a known downlink got the teacher's source, not the program")
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)
        #expect(try await ProgramTests.waitFor(srt, "all blue over SRT again", ProgramTests.allBlue) != nil)
        #expect(await lesson.relay.stop() == 0)
    }

    @Test func withTranscodingOffThePlainNameCarriesTheProgram() async throws {
        let lesson = try await Self.lesson(Self.transcodeOff)
        defer { lesson.end() }
        let plain = lesson.relay.url("math?key=\(lesson.siteB)")
        #expect(try await ProgramTests.waitFor(plain, "all blue", ProgramTests.allBlue) != nil)
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        #expect(try await ProgramTests.waitFor(plain, "red inset", ProgramTests.redInset) != nil, "no program with transcoding off")
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)
        #expect(try await ProgramTests.waitFor(plain, "all blue again", ProgramTests.allBlue) != nil)
        #expect(!lesson.relay.child.stderr.contains("\"transcoding\""), "rungs were made with transcoding off")
        #expect(await lesson.relay.stop() == 0)
    }

    /// An HLS player (ffmpeg) of the plain name: the source variant is the teacher's picture, the
    /// program (the red inset) while the stage is set, and the teacher's again once cleared, the
    /// variant back on the source (its log says so: an empty stage's program looks the same);
    /// with transcoding on (the source fits no rung, so the plain name's variant is the source)
    /// and off (the source is the only variant).
    @Test(arguments: [transcodeOn, transcodeOff])
    func anHLSPlayerOfThePlainNameGetsTheProgram(transcode: String) async throws {
        let lesson = try await Self.lesson(transcode)
        defer { lesson.end() }
        let hls = "http://127.0.0.1:\(lesson.relay.httpPort)/hls/live/math/index.m3u8?key=\(lesson.siteB)"
        #expect(try await ProgramTests.waitFor(hls, "all blue over HLS", ProgramTests.allBlue) != nil)
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        #expect(try await ProgramTests.waitFor(hls, "red inset over HLS", ProgramTests.redInset) != nil, "the HLS plain name is not the program")
        // The program came with a new init section: a discontinuity in the source variant's playlist.
        let master = try await Curl.call(hls)
        let sourceURI = HLSTests.uris(master.body).first { $0.hasPrefix("source/") } ?? "source/index.m3u8"
        let media = try await Curl.call("http://127.0.0.1:\(lesson.relay.httpPort)/hls/live/math/\(sourceURI)").body
        #expect(media.contains("#EXT-X-DISCONTINUITY\n") || !media.contains("#EXT-X-DISCONTINUITY-SEQUENCE:0\n"), "\(media)")
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)
        #expect(try await ProgramTests.waitFor(hls, "all blue over HLS again", ProgramTests.allBlue) != nil, "the HLS plain name lost the teacher")
        // The program of an empty stage is the teacher alone too: the variant must be back on the source.
        let back = await lesson.relay.child.waitForOutput(timeout: .seconds(20)) { output in
            output.split(separator: "\n").contains { $0.contains("the plain name follows the stage") && $0.contains("to=source") }
        }
        #expect(
            back,
            "the HLS plain name stayed on the program: \(lesson.relay.child.stderr.split(separator: "\n").filter { $0.contains("follows the stage") })"
        )
        #expect(await lesson.relay.stop() == 0)
    }

    /// A WebRTC (WHEP) viewer of the plain name in Chromium sees the teacher's picture with the
    /// on-stage site's inset (its last picture's colours at the pip layout's points).
    @Test func aWHEPViewerOfThePlainNameSeesTheProgram() async throws {
        let lesson = try await Self.lesson(Self.transcodeOn)
        defer { lesson.end() }
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        let whep = "http://127.0.0.1:\(lesson.relay.httpPort)/whep/live/math"
        var pixels: [[Int]] = []
        for _ in 0..<3 where !Self.isProgram(pixels) {
            let result = try await WHEPBrowserTests.play(whep, key: lesson.siteB, seconds: 4)
            pixels = result["pixels"] as? [[Int]] ?? []
        }
        #expect(Self.isProgram(pixels), "the WHEP viewer's picture is not the program: \(pixels)")
        #expect(await lesson.relay.stop() == 0)
    }

    /// The teacher's blue at the first five points and the site's red at the last three.
    static func isProgram(_ pixels: [[Int]]) -> Bool {
        guard pixels.count == 8, pixels.allSatisfy({ $0.count == 3 }) else { return false }
        let colours = pixels.map { (r: $0[0], g: $0[1], b: $0[2]) }
        return colours.prefix(5).allSatisfy(ProgramTests.isBlue) && colours.suffix(3).allSatisfy(ProgramTests.isRed)
    }

    /// One RTMP player of the plain name through a stage set and a clear: it sees the source, the
    /// program, then the source again without reconnecting, and its frame times never go back,
    /// never skip more than two frame durations (the teacher sends 25 frames a second) and repeat
    /// at most once per switch.
    @Test func framesOfOnePlayerAreContinuousAcrossStageChanges() async throws {
        let lesson = try await Self.lesson(Self.transcodeOn)
        defer { lesson.end() }
        let player = try ContinuousPlayer(url: lesson.relay.url("math?key=\(lesson.siteB)"))
        defer { player.stop() }
        #expect(await player.waitFor(.teacher, count: 25), "the player showed no teacher's picture")
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        #expect(await player.waitFor(.program, count: 25), "the player never showed the program")
        #expect(try await lesson.stage.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)
        #expect(await player.waitFor(.teacher, count: 25, after: .program), "the player never came back to the source")
        player.stop()
        let times = player.frameTimes()
        let steps = zip(times.dropFirst(), times).map { $0 - $1 }
        print("plain name across two stage changes: \(times.count) frames, smallest step \(steps.min() ?? 0) s, largest \(steps.max() ?? 0) s")
        #expect(times.count > 75)
        #expect(steps.allSatisfy { $0 >= 0 }, "frame times went back: \(steps.filter { $0 < 0 })")
        // At a switch the new stream's keyframe may carry the time of the last picture sent (the
        // switcher takes a keyframe not older than it): at most one repeated time per switch.
        #expect(steps.filter { $0 == 0 }.count <= 2, "repeated frame times: \(steps.filter { $0 == 0 }.count)")
        #expect(steps.allSatisfy { $0 <= 0.081 }, "a gap over two frame durations: \(steps.filter { $0 > 0.081 })")
        #expect(await lesson.relay.stop() == 0)
    }
}
