import Foundation
import ProcessTestSupport
import Testing

/// HLS with independent clients: curl for the playlists and refusals, ffprobe and ffmpeg for
/// every variant, the variants' segments starting at the same timestamps, the live view's hls
/// viewer, a rung packaged only while fetched; Chromium's native player and the watch page
/// falling back to HLS where WebRTC is missing.
@Suite(.serialized)
struct HLSTests {
    /// The first video packet's decode time of a segment, read by ffprobe from init + segment.
    static func startTime(init initSection: Data, segment: Data, stream: String = "v", in dir: String) async throws -> Double {
        let path = dir + "/\(UUID().uuidString).mp4"
        try (initSection + segment).write(to: URL(fileURLWithPath: path))
        let (_, out, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", stream, "-read_intervals", "%+#1", "-show_entries", "packet=dts_time", "-of", "csv=p=0", path,
            ], timeout: .seconds(20))
        return Double(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// A file's bytes as curl fetched them (403/404 fail the test).
    static func download(_ url: String, in dir: String) async throws -> Data {
        let path = dir + "/\(UUID().uuidString).bin"
        let (code, _, err) = try await runTool("curl", ["-sS", "--fail", "--max-time", "20", "-o", path, url], timeout: .seconds(30))
        guard code == 0 else { throw TestFailure("curl \(url): \(err)") }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func uris(_ playlist: String) -> [String] {
        playlist.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    @Test func aSitePlaysTheLadderOverHLS() async throws {
        let lesson = try await WHEPBrowserTests.lesson(seconds: 120)
        defer { lesson.publisher.signal(SIGKILL) }
        let relay = lesson.relay
        let base = "http://127.0.0.1:\(relay.httpPort)/hls/live/math"

        // Refusals: no key 401, another school 403, no such class 404; past the multivariant
        // playlist, no token or a made-up one is 403.
        #expect(try await Curl.call(base + "/index.m3u8").status == 401)
        #expect(try await Curl.call(base + "/index.m3u8?key=\(lesson.stranger)").status == 403)
        #expect(try await Curl.call("http://127.0.0.1:\(relay.httpPort)/hls/live/nosuch/index.m3u8?key=\(lesson.site)").status == 404)
        #expect(try await Curl.call(base + "/360p/index.m3u8").status == 403)
        #expect(try await Curl.call(base + "/360p/index.m3u8?t=made-up").status == 403)

        let master = try await Curl.call(base + "/index.m3u8?key=\(lesson.site)")
        #expect(master.status == 200)
        #expect(master.header("Content-Type") == "application/vnd.apple.mpegurl")
        let variants = master.body.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }
        #expect(variants.count == 4, "three rungs and the source: \(master.body)")
        for variant in variants {
            for attribute in ["BANDWIDTH=", "AVERAGE-BANDWIDTH=", "RESOLUTION=", "CODECS=\"avc1.", "mp4a.40.2\"", "FRAME-RATE="] {
                #expect(variant.contains(attribute), "\(variant)")
            }
        }
        #expect(variants.first?.contains("RESOLUTION=1280x720") == true, "site-a's 8 Mbit/s fits 720p: listed first")
        #expect(!master.body.contains(lesson.site), "the key is not repeated in the playlist")
        let uris = Self.uris(master.body)
        #expect(Set(uris.map { String($0.prefix { $0 != "/" }) }) == ["720p", "480p", "360p", "source"])
        #expect(uris.allSatisfy { $0.contains("?t=") })

        // ffprobe sees every variant; ffmpeg decodes them all for 6 s without an error.
        let (probeCode, probe, probeErrors) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", base + "/index.m3u8?key=\(lesson.site)",
            ], timeout: .seconds(60))
        #expect(probeCode == 0, "\(probeErrors)")
        for size in ["1280,720", "854,480", "640,360"] { #expect(probe.contains("h264,\(size)"), "\(probe)") }
        #expect(probe.contains("aac"))
        async let decoded = runTool(
            "ffmpeg",
            [
                "-v", "error", "-i", base + "/index.m3u8?key=\(lesson.site)", "-map", "0", "-t", "6", "-f", "null", "-",
            ], timeout: .seconds(90))

        // While it plays, the live view lists hls viewers of site-a with their variant, and
        // /metrics counts them (both read while the client fetches: it is listed for 10 s after).
        let (listed, inMetrics) = try await waitUntil(timeout: .seconds(20), every: .milliseconds(200)) {
            let viewers = try await relay.api.call("GET", "/classes/math/live").object["viewers"] as? [[String: Any]] ?? []
            let listed = viewers.filter { $0["protocol"] as? String == "hls" && $0["siteId"] as? String == "site-a" }
            return (listed, try await Curl.call(relay.server + "/metrics").body.contains("protocol=\"hls\""))
        } until: { listed, inMetrics in
            !listed.isEmpty && inMetrics
        }
        let (decodeCode, _, decodeErrors) = try await decoded
        #expect(decodeCode == 0)
        #expect(decodeErrors.isEmpty, "decode errors: \(decodeErrors)")
        #expect(!listed.isEmpty, "the live view lists the HLS client")
        #expect(inMetrics, "HLS clients in /metrics")

        // Segment boundaries: the newest segments of 480p and 360p start at the same timestamps.
        let dir = try makeTemporaryDirectory("hls")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let token = String(uris[0].split(separator: "?t=").last ?? "")
        var starts: [String: Set<Int>] = [:]
        var dates: [String: Set<String>] = [:]
        for rung in ["480p", "360p"] {
            let playlist = try await Curl.call(base + "/\(rung)/index.m3u8?t=\(token)")
            #expect(playlist.status == 200)
            dates[rung] = Set(playlist.body.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-PROGRAM-DATE-TIME:") }.map(String.init))
            #expect(playlist.body.contains("#EXT-X-MAP:URI=\"init-"), "\(playlist.body)")
            #expect(!playlist.body.contains(lesson.site))
            let files = Self.uris(playlist.body).suffix(2)
            let mapURI = try #require(playlist.body.split(separator: "\"").first { $0.hasPrefix("init-") })
            let initSection = try await Self.download(base + "/\(rung)/" + mapURI, in: dir)
            for file in files {
                let segment = try await Self.download(base + "/\(rung)/" + file, in: dir)
                let start = try await Self.startTime(init: initSection, segment: segment, in: dir)
                starts[rung, default: []].insert(Int((start * 1000).rounded()))
                // A rung's sound leaves its encoder after its pictures; the cut waits for it, so
                // the segment's audio starts at its first picture (within an AAC frame), not before
                // it (audio that belongs to the segment before, a gap where a player switches).
                let audio = try await Self.startTime(init: initSection, segment: segment, stream: "a", in: dir)
                #expect(audio >= start - 0.001 && audio < start + 0.05, "\(rung) \(file): audio starts at \(audio), pictures at \(start)")
            }
        }
        #expect(!(starts["480p"] ?? []).isDisjoint(with: starts["360p"] ?? []), "aligned boundaries: \(starts)")
        // ... and the same wall-clock dates (EXT-X-PROGRAM-DATE-TIME), by which players that
        // switch variants line segments up (variants started at different times number them apart).
        #expect(!(dates["360p"] ?? []).isEmpty)
        #expect(!(dates["480p"] ?? []).isDisjoint(with: dates["360p"] ?? []), "same dates for the same boundaries: \(dates)")

        // Low-latency HLS: parts listed as they are cut, a preload hint, a blocking reload that
        // answers once the hinted part exists, and the hinted part served as soon as it is cut.
        let live = try await Curl.call(base + "/480p/index.m3u8?t=\(token)")
        #expect(live.body.contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK="), "\(live.body)")
        #expect(live.body.contains("#EXT-X-PART-INF:PART-TARGET=0.600"))
        #expect(live.body.contains(",INDEPENDENT=YES"))
        let hint = try #require(live.body.split(separator: "\n").first { $0.hasPrefix("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"") })
        let hinted = String(hint.split(separator: "\"")[1].split(separator: "?")[0])  // "<msn>.<part>.m4s"
        let numbers = hinted.dropLast(4).split(separator: ".")
        let started = ContinuousClock.now
        async let partBytes = Self.download(base + "/480p/\(hinted)?t=\(token)", in: dir)
        let blocked = try await Curl.call(base + "/480p/index.m3u8?t=\(token)&_HLS_msn=\(numbers[0])&_HLS_part=\(numbers[1])")
        let waited = ContinuousClock.now - started
        #expect(blocked.status == 200)
        #expect(blocked.body.contains("URI=\"\(hinted)?t="), "the blocking reload lists the part it waited for: \(blocked.body)")
        #expect(waited < .seconds(3), "a part is cut every ~0.5 s: waited \(waited)")
        let part = try await partBytes
        #expect(part.count > 8 && String(decoding: part[4..<8], as: UTF8.self) == "moof", "a part is one fMP4 fragment")

        // Nobody fetches 360p any more: its packaging (and the rung's encoding for HLS) stops
        // ~10 s after its last fetch.
        let stopped = try await waitUntil(timeout: .seconds(30), every: .milliseconds(500)) {
            (relay.child.stdout + relay.child.stderr).split(separator: "\n").contains {
                $0.contains("hls variant stopped") && $0.contains("variant=360p") && $0.contains("no client for")
            }
        }
        #expect(stopped, "the 360p variant stops ~10 s after its last fetch")
    }

    /// What Chromium's own player sends with the multivariant fetch (a media element's request).
    static let chromiumsPlayer = [
        "-H", "Sec-Fetch-Dest: video", "-H", "Sec-Fetch-Mode: no-cors",
        "-A", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
    ]

    /// Each listed part's date and duration, in order.
    static func datedParts(_ playlist: String) -> [(date: Date, seconds: Double, uri: String)] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var parts: [(Date, Double, String)] = []
        var date: Date?
        var seconds: Double?
        for line in playlist.split(separator: "\n") {
            if line.hasPrefix("#EXT-X-PROGRAM-DATE-TIME:") {
                date = formatter.date(from: String(line.dropFirst(25)))
            } else if line.hasPrefix("#EXTINF:") {
                seconds = Double(line.dropFirst(8).prefix { $0 != "," })
            } else if !line.hasPrefix("#"), let d = date, let s = seconds {
                parts.append((d, s, String(line.split(separator: "?")[0])))
            }
        }
        return parts
    }

    /// Chromium's own player (told by its headers at the multivariant fetch) gets media playlists
    /// of parts listed as segments: its first playlist starts its last three at a keyframe; a
    /// switch of variant lists the variant left up to the new one's keyframe, dates running on;
    /// ffmpeg, fetching as that player, decodes every variant without an error. Other clients
    /// (the test above) keep the standard playlists with parts.
    @Test func chromiumsOwnPlayerGetsPartsListedAsSegments() async throws {
        let lesson = try await WHEPBrowserTests.lesson(seconds: 120)
        defer { lesson.publisher.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(lesson.relay.httpPort)/hls/live/math"
        let master = try await Curl.call(base + "/index.m3u8?key=\(lesson.site)", extra: Self.chromiumsPlayer)
        #expect(master.status == 200)
        #expect(!master.body.contains("#EXT-X-INDEPENDENT-SEGMENTS"), "parts as segments are not each independent: \(master.body)")
        let token = String(try #require(Self.uris(master.body).first?.split(separator: "?t=").last))

        let joined = try await Curl.call(base + "/480p/index.m3u8?t=\(token)")
        #expect(joined.status == 200)
        #expect(!joined.body.contains("#EXT-X-PART") && !joined.body.contains("PRELOAD-HINT"), "\(joined.body)")
        #expect(joined.body.contains("#EXT-X-TARGETDURATION:1\n"), "\(joined.body)")
        let parts = Self.datedParts(joined.body)
        #expect(parts.count >= 3 && parts.allSatisfy { $0.seconds <= 0.6 }, "\(joined.body)")
        let start = parts[max(parts.count - 3, 0)].uri
        // Reloads right after one another: each waits for a part newer than the last listed (a
        // player that finds nothing new waits before it starts, or after a switch; ~0.5 s lost).
        var lastListed = try #require(parts.last?.date)
        for _ in 0..<3 {
            let reloaded = Self.datedParts(try await Curl.call(base + "/480p/index.m3u8?t=\(token)").body)
            let last = try #require(reloaded.last?.date)
            #expect(last > lastListed, "a newer part: \(reloaded)")
            lastListed = last
        }
        #expect(start.hasSuffix(".0.m4s"), "the third-last part is a GOP's first: \(joined.body)")
        // ... which begins with a keyframe (ffprobe reads init section + that part).
        let dir = try makeTemporaryDirectory("hls-parts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mapURI = try #require(joined.body.split(separator: "\"").first { $0.hasPrefix("init-") })
        let file = dir + "/start.mp4"
        try (try await Self.download(base + "/480p/" + mapURI, in: dir) + (try await Self.download(base + "/480p/\(start)?t=\(token)", in: dir)))
            .write(to: URL(fileURLWithPath: file))
        let (_, flags, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v", "-read_intervals", "%+#1", "-show_entries", "packet=flags", "-of", "csv=p=0", file,
            ], timeout: .seconds(20))
        #expect(flags.hasPrefix("K"), "first picture of the joining start: \(flags)")

        // The client switches to 360p: 480p's parts until 360p's next keyframe, then 360p's,
        // each part's date the previous one's plus its duration.
        let isHandover = { (uris: [String]) in uris.contains { $0.hasPrefix("../480p/") } && uris.last?.hasPrefix("../") == false }
        var asked = 0
        let uris360 = try await waitUntil(timeout: .seconds(15), every: .milliseconds(250)) {
            let uris = Self.uris(try await Curl.call(base + "/360p/index.m3u8?t=\(token)").body)
            if asked == 0 { #expect(!uris.isEmpty && uris.allSatisfy { $0.hasPrefix("../480p/") }, "at the switch, 480p's parts only: \(uris)") }
            asked += 1
            return uris
        } until: {
            isHandover($0)
        }
        let handedOver = isHandover(uris360) ? try await Curl.call(base + "/360p/index.m3u8?t=\(token)").body : ""
        let mixed = Self.datedParts(handedOver)
        let takeover = try #require(mixed.firstIndex { !$0.uri.hasPrefix("../") }, "a handover within 10 s: \(handedOver)")
        #expect(mixed[takeover].uri.hasSuffix(".0.m4s"), "360p takes over at a keyframe: \(handedOver)")
        #expect(handedOver.contains("#EXT-X-MAP:URI=\"../480p/init-") && !handedOver.contains("#EXT-X-DISCONTINUITY\n"))
        for index in mixed.indices.dropFirst() {
            let gap = mixed[index].date.timeIntervalSince(mixed[index - 1].date) - mixed[index - 1].seconds
            #expect(abs(gap) < 0.05, "dates run on at \(mixed[index].uri): \(handedOver)")
        }

        // ffmpeg reading one variant as Chromium's player would (a token from the multivariant
        // fetch with its headers) decodes its parts for 4 s without an error, every variant.
        for variant in ["720p", "480p", "360p", "source"] {
            let fetched = try await Curl.call(base + "/index.m3u8?key=\(lesson.site)", extra: Self.chromiumsPlayer)
            let own = String(try #require(Self.uris(fetched.body).first?.split(separator: "?t=").last))
            let (code, _, errors) = try await runTool(
                "ffmpeg",
                [
                    "-v", "error", "-i", base + "/\(variant)/index.m3u8?t=\(own)", "-map", "0", "-t", "4", "-f", "null", "-",
                ], timeout: .seconds(60))
            #expect(code == 0 && errors.isEmpty, "\(variant): decode errors: \(errors)")
        }
        #expect(await lesson.relay.stop() == 0)
    }

    @Test func chromiumPlaysHLSNativelyAndTheWatchPageFallsBackToIt() async throws {
        let lesson = try await WHEPBrowserTests.lesson(seconds: 150)
        defer { lesson.publisher.signal(SIGKILL) }
        let relay = lesson.relay
        let native = try await WatchPageTests.open(
            "http://127.0.0.1:\(relay.httpPort)/hls/live/math/index.m3u8?key=\(lesson.site)", timeout: 45, extra: ["--play-seconds", "8"]
        )
        // Chromium 156's own player fetches whole segments only (here, parts listed as segments),
        // starting three from the end of its first playlist.
        // So it plays about three 0.6 s parts behind what it holds; listing whole 2 s segments would put it 6 s behind.
        let behind = native["behindBufferedSeconds"] as? Double ?? .infinity
        #expect(behind >= 0 && behind < 6, "chromium's own HLS player behind its buffered media by \(behind) s: \(native)")
        #expect(native["advanced"] as? Bool == true, "Chromium's own HLS player plays the lesson: \(native)")
        #expect((native["videoWidth"] as? Int ?? 0) > 0)

        let page = try await WatchPageTests.open(
            "http://127.0.0.1:\(relay.httpPort)/watch/math?key=\(lesson.site)", timeout: 40, extra: ["--no-webrtc"]
        )
        #expect(page["advanced"] as? Bool == true, "without WebRTC the watch page plays HLS: \(page)")
        #expect(page["transport"] as? String == "hls", "\(page)")
    }

    /// A browser's WHIP lesson (its keyframes when the relay asks, its frames' times jittering)
    /// in Chromium's own HLS player: it plays from the start to the end of the count, without an
    /// error, under 3 s glass to glass (the clock drawn into the picture, read back). (Without
    /// program dates, this player, switching from the source to the 360p variant it settles on,
    /// lined their segments up by media sequence number, which differ between variants, and
    /// failed two starts in three: DEMUXER_ERROR_COULD_NOT_PARSE. With whole segments listed it
    /// played three GOPs behind, 6.4 s; parts listed as segments, ~2.2 s.)
    @Test func aBrowsersWHIPLessonPlaysInChromiumsOwnHLSPlayer() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: open\n")
        let base = "http://127.0.0.1:\(relay.httpPort)"
        let (code, out, err) = try await runTool(
            "/usr/bin/python3",
            [
                WHIPTests.browserDir.appendingPathComponent("hls_latency.py").path, base + "/whip/live/wnative",
                base + "/hls/live/wnative/index.m3u8?key=x", "--seconds", "12", "--settle", "4", "--events",
            ], timeout: .seconds(150))
        let result = out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let events = result["events"] as? [[String: Any]] ?? []
        #expect(code == 0 && (result["frames"] as? Int ?? 0) > 60, "8 s of pictures read back: \(result) \(err.suffix(1500))")
        #expect(!events.contains { $0["e"] as? String == "error" }, "no player error: \(events)")
        #expect((result["p50"] as? Double ?? .infinity) < 3000, "glass to glass under 3 s: \(result)")
        print("chromium native HLS of a WHIP lesson: p50 \(result["p50"] ?? "?") ms, stalls \(result["stalls"] ?? "?")")
        // The browser's lesson (a clock on the fake camera) is about 200 kbit/s: it feeds no rung
        // (a rung needs 5/4 of its bitrate), so the multivariant playlist lists the source alone
        // and the player plays it to the end. (When it fed 360p, the player moved there; with
        // rung keyframes forced 100 ms before the source's, no 360p part started where a source
        // part did, and it played the source's parts listed in 360p's playlist. That handover is
        // kept by chromiumsOwnPlayerGetsPartsListedAsSegments, on a lesson that feeds the ladder.)
        let log = relay.child.stdout + relay.child.stderr
        let decisions = log.split(separator: "\n").filter { $0.contains("measuredVideoKbps") }
        #expect(decisions.first?.contains("no rung fits the source") == true, "\(decisions)")
        #expect(!log.contains("variant=360p"), "no rung variant was packaged")
        #expect(await relay.stop() == 0)
    }

    /// Threads named `name` in process `pid` now (Linux keeps 15 characters of a name).
    static func threads(named name: String, in pid: Int32) -> Int {
        let dir = "/proc/\(pid)/task"
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return tasks.filter { task in
            (try? String(contentsOfFile: "\(dir)/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.count
    }

    /// Each variant muxes on a thread of its own (`hls-mux`, off Swift's cooperative pool), and
    /// SIGTERM while all four mux stops and joins them: relayd exits 0 at once with no thread left.
    @Test func everyVariantMuxesOnItsOwnThreadAndSIGTERMJoinsThem() async throws {
        let lesson = try await WHEPBrowserTests.lesson(seconds: 120)
        defer { lesson.publisher.signal(SIGKILL) }
        let relay = lesson.relay
        let base = "http://127.0.0.1:\(relay.httpPort)/hls/live/math"
        let master = try await Curl.call(base + "/index.m3u8?key=\(lesson.site)")
        let uris = Self.uris(master.body)
        #expect(uris.count == 4, "three rungs and the source: \(master.body)")
        // A media playlist answers once its variant has three segments: every variant is muxing.
        // (Fetched together: one after the other, the last could wait past the 10 s a variant
        // without a fetch lives, and be started again.)
        try await withThrowingTaskGroup(of: (String, Curl.Reply).self) { group in
            for uri in uris { group.addTask { (uri, try await Curl.call(base + "/" + uri)) } }
            for try await (uri, playlist) in group {
                #expect(playlist.status == 200 && playlist.body.contains("#EXTINF:"), "\(uri): \(playlist.body)")
            }
        }
        #expect(Self.threads(named: "hls-mux", in: relay.child.pid) == 4, "a muxing thread per variant")

        let start = ContinuousClock.now
        relay.child.signal(SIGTERM)
        let code = await relay.child.wait(timeout: .seconds(20))
        let took = ContinuousClock.now - start
        let log = relay.child.stdout + relay.child.stderr
        #expect(code == 0, "\(log.suffix(3000))")
        #expect(took < .seconds(5), "stopped in \(took)")
        let hlsLines = log.split(separator: "\n").filter { $0.contains("relay.hls") }
        #expect(hlsLines.filter { $0.contains("hls variant stopped") }.count == 4, "each variant stopped once: \(hlsLines)")
        #expect(log.contains("threadsLeft=0"), "every thread joined: \(log.suffix(1500))")
    }
}
