import Foundation
import ProcessTestSupport
import Testing

/// The ladder fits its source (CONTRACT "The ladder fits the source"), end to end: a rung is made
/// only where the source's height and 80 % of its measured video bitrate reach it; the live view,
/// the HLS multivariant playlist and the players see only what is made; a pinned rung that is not
/// made plays the source; a bigger publisher gets the rungs it feeds; HTTP-FLV's plain name
/// adapts as RTMP's does.
@Suite(.serialized)
struct SourceFitTests {
    struct Lesson {
        let relay: RelaydServer
        let keys: [String: String]
        var site: String { keys["site-a"]! }
        var central: String { keys["central"]! }
    }

    /// A relay with the ladder (ultrafast, as TranscodeTests) and class `math` for site-a at `bandwidthKbps`.
    static func relay(bandwidthKbps: Int = 8_000) async throws -> Lesson {
        let relay = try await RelaydServer(
            config: RelaydServer.timetableConfig + "publisher:\n  graceSeconds: 10\n" + TranscodeTests.transcodeConfig
        )
        let keys = try await OneClassTimetable.make(on: relay, classId: "math", title: "数学", bandwidthKbps: bandwidthKbps)
        return Lesson(relay: relay, keys: keys)
    }

    /// The live view's renditions, `source` first.
    static func renditions(_ relay: RelaydServer) async throws -> [String] {
        let live = try await relay.api.call("GET", "/classes/math/live")
        return (live.object["renditions"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }

    /// Waits (up to 20 s) for the transcoder's `number`-th decision (each logged with the
    /// source's measured bitrate); returns the live view's renditions then.
    static func decision(_ number: Int, of relay: RelaydServer) async throws -> [String] {
        let decided = await relay.child.waitForOutput(timeout: .seconds(20)) {
            $0.components(separatedBy: "measuredVideoKbps").count - 1 >= number
        }
        try #require(decided, "no decision \(number): \(relay.child.stderr.suffix(2_000))")
        let line = relay.child.stderr.split(separator: "\n").last { $0.contains("measuredVideoKbps") } ?? ""
        print("decision \(number): \(line)")
        return try await renditions(relay)
    }

    /// The picture size ffprobe sees at `url`.
    static func size(_ url: String) async throws -> String {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", url,
            ], timeout: .seconds(30))
        guard code == 0 else { throw TestFailure("ffprobe \(url): \(err)") }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func multivariantVariants(_ lesson: Lesson) async throws -> [String] {
        let master = try await Curl.call("http://127.0.0.1:\(lesson.relay.httpPort)/hls/live/math/index.m3u8?key=\(lesson.site)")
        try #require(master.status == 200, "\(master.body)")
        return HLSTests.uris(master.body).map { String($0.prefix { $0 != "/" }) }
    }

    static func metric(_ name: String, of relay: RelaydServer) async throws -> Double? {
        let reply = try await Curl.call("http://127.0.0.1:\(relay.httpPort)/metrics")
        let line = reply.body.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func aQuarterMegabitLessonMakesNoRungAndCostsNoEncode() async throws {
        let lesson = try await Self.relay()
        let relay = lesson.relay
        let publisher = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 40, size: "1280x720", gop: 50, videoKbps: 250
        )
        defer { publisher.signal(SIGKILL) }
        #expect(try await Self.decision(1, of: relay) == ["source"], "\(relay.child.stderr.suffix(1_500))")
        #expect(relay.child.stderr.contains("no rung fits the source"))
        #expect(try await Self.multivariantVariants(lesson) == ["source"])

        // The site's plain RTMP name (adaptive: site-a has 8 Mbit/s) plays the source, and while
        // it plays only the source stream is published: no rung stream, no encoder.
        let dir = try makeTemporaryDirectory("nofit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try MediaTools.record(relay.url("math?key=\(lesson.site)"), to: "\(dir)/site.flv", seconds: 4)
        let viewers = try await waitUntil(timeout: .seconds(24), every: .milliseconds(200)) {
            try await relay.api.call("GET", "/classes/math/live").object["viewers"] as? [[String: Any]] ?? []
        } until: {
            !$0.isEmpty
        }
        #expect(viewers.first?["rendition"] as? String == "source", "\(viewers)")
        // Only the source is published (a rung stream opened before the source's bitrate was
        // measured may take a moment to be gone).
        try await waitUntil("only the source published: \(relay.child.stderr.suffix(1_500))", timeout: .seconds(10)) {
            try await Self.metric("relay_streams_live", of: relay) == 1
        }
        await player.wait(timeout: .seconds(30))
        let probe = try await RungProbe.of("\(dir)/site.flv")
        #expect(probe.width == 1280 && probe.height == 720, "the source: \(probe.width)x\(probe.height)")
        #expect(!relay.child.stderr.contains("rung switch"), "no rung to switch to")

        // A pinned rung that is not made plays the source.
        #expect(try await Self.size(relay.url("math_360p?key=\(lesson.site)")) == "1280,720")
        _ = await relay.stop()
    }

    @Test func aOneMegabitLessonMakesOnly360pAndItsPinned480pPlaysTheSource() async throws {
        let lesson = try await Self.relay()
        let relay = lesson.relay
        let publisher = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 40, size: "1280x720", gop: 50, videoKbps: 1_000
        )
        defer { publisher.signal(SIGKILL) }
        // A player pinned to 480p before the transcoder decided (it measures the first seconds)
        // gets the source through its rung stream, which is then not made.
        async let early = Self.size(relay.url("math_480p?key=\(lesson.site)"))
        #expect(try await Self.decision(1, of: relay) == ["source", "360p"], "\(relay.child.stderr.suffix(1_500))")
        #expect(try await early == "1280,720", "pinned before the decision: the source")
        #expect(relay.child.stderr.contains("rung not made: its players get the source"))
        #expect(try await Self.multivariantVariants(lesson).sorted() == ["360p", "source"])
        // 360p is made; 480p and 720p are not: pinned, they play the source.
        #expect(try await Self.size(relay.url("math_360p?key=\(lesson.site)")) == "640,360")
        #expect(try await Self.size(relay.url("math_480p?key=\(lesson.site)")) == "1280,720")
        let flv = "http://127.0.0.1:\(relay.httpPort)/flv/live/math_720p.flv?key=\(lesson.site)"
        #expect(try await Self.size(flv) == "1280,720", "HTTP-FLV's pinned 720p: the source")
        _ = await relay.stop()
    }

    @Test func aPublisherReplacedByABiggerOneGetsTheRungsItFeeds() async throws {
        let lesson = try await Self.relay()
        let relay = lesson.relay
        let small = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 60, size: "640x360", gop: 50, videoKbps: 1_000
        )
        defer { small.signal(SIGKILL) }
        #expect(try await Self.decision(1, of: relay) == ["source", "360p"])
        // A player pinned to 480p before the bigger publisher comes: the source (640x360) now.
        #expect(try await Self.size(relay.url("math_480p?key=\(lesson.site)")) == "640,360")

        small.signal(SIGKILL)
        await small.wait(timeout: .seconds(10))
        let big = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 60, size: "1280x720", gop: 50, videoKbps: MediaTools.ladderKbps
        )
        defer { big.signal(SIGKILL) }
        #expect(try await Self.decision(2, of: relay) == ["source", "720p", "480p", "360p"], "\(relay.child.stderr.suffix(1_500))")
        #expect(try await Self.multivariantVariants(lesson).sorted() == ["360p", "480p", "720p", "source"])
        #expect(try await Self.size(relay.url("math_480p?key=\(lesson.site)")) == "854,480")
        _ = await relay.stop()
    }

    @Test func aPlayerPinnedToARungTheNextPublisherDoesNotFeedGetsThatPublishersSource() async throws {
        let lesson = try await Self.relay()
        let relay = lesson.relay
        let big = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 60, size: "1280x720", gop: 50, videoKbps: MediaTools.ladderKbps
        )
        defer { big.signal(SIGKILL) }
        #expect(try await Self.decision(1, of: relay) == ["source", "720p", "480p", "360p"])
        // A player pinned to 720p, decoding (each picture's size logged) across the change.
        async let watched = runTool(
            "ffmpeg",
            [
                "-hide_banner", "-i", relay.url("math_720p?key=\(lesson.site)"), "-t", "16", "-vf", "showinfo", "-f", "null", "-",
            ], timeout: .seconds(60))
        let onRung = try await waitUntil(timeout: .seconds(24), every: .milliseconds(200)) {
            let viewers = try await relay.api.call("GET", "/classes/math/live").object["viewers"] as? [[String: Any]] ?? []
            return viewers.contains { $0["rendition"] as? String == "720p" }
        }
        #expect(onRung, "the pinned player is on 720p")
        big.signal(SIGKILL)
        await big.wait(timeout: .seconds(10))
        let small = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 60, size: "640x360", gop: 50, videoKbps: 1_000
        )
        defer { small.signal(SIGKILL) }
        #expect(try await Self.decision(2, of: relay) == ["source", "360p"])
        let (_, _, log) = try await watched
        // It saw the 720p rung, then the new publisher's source through the 720p stream.
        #expect(log.contains("s:1280x720") && log.contains("s:640x360"), "\(log.suffix(1_500))")
        #expect(relay.child.stderr.contains("rung not made: its players get the source"))
        _ = await relay.stop()
    }

    @Test func aLessonAtTwoAndAHalfMegabitsMakesTheWholeLadder() async throws {
        let lesson = try await Self.relay()
        let relay = lesson.relay
        let publisher = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 40, size: "1280x720", gop: 25, videoKbps: 2_500
        )
        defer { publisher.signal(SIGKILL) }
        #expect(try await Self.decision(1, of: relay) == ["source", "720p", "480p", "360p"], "\(relay.child.stderr.suffix(1_500))")
        _ = await relay.stop()
    }

    @Test func aSiteOf1000KbpsGets360pOverPlainHTTPFLV() async throws {
        let lesson = try await Self.relay(bandwidthKbps: 1_000)
        let relay = lesson.relay
        let publisher = try MediaTools.publish(
            to: relay.url("math?key=\(lesson.central)"), seconds: 40, size: "1280x720", gop: 50, videoKbps: MediaTools.ladderKbps
        )
        defer { publisher.signal(SIGKILL) }
        #expect(try await Self.decision(1, of: relay) == ["source", "720p", "480p", "360p"])
        let dir = try makeTemporaryDirectory("flvfit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let url = "http://127.0.0.1:\(relay.httpPort)/flv/live/math.flv?key=\(lesson.site)"
        let player = try MediaTools.record(url, to: "\(dir)/site.flv", seconds: 5)
        let viewer = try await waitUntil(timeout: .seconds(24), every: .milliseconds(200)) {
            let viewers = try await relay.api.call("GET", "/classes/math/live").object["viewers"] as? [[String: Any]] ?? []
            return viewers.first { $0["protocol"] as? String == "flv" }
        } until: {
            $0 != nil
        }
        // 480p is 964 kbit/s in total: × 1.2 it does not fit 1000, so the site is on 360p.
        #expect(viewer?["rendition"] as? String == "360p", "\(String(describing: viewer))")
        #expect(viewer?["siteId"] as? String == "site-a")
        await player.wait(timeout: .seconds(30))
        let probe = try await RungProbe.of("\(dir)/site.flv")
        #expect(probe.width == 640 && probe.height == 360, "the site got \(probe.width)x\(probe.height)")
        #expect(probe.videoFrames >= 75, "\(probe.videoFrames) frames in 5 s")
        let errors = try await MediaTools.decodeErrors(of: "\(dir)/site.flv")
        #expect(errors.isEmpty, "\(String(errors.prefix(300)))")
        _ = await relay.stop()
    }
}
