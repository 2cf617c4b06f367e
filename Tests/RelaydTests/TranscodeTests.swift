import Foundation
import ProcessTestSupport
import Testing

/// In-process transcoding end to end: the ladder's rungs as real players see them.
@Suite(.serialized)
struct TranscodeTests {
    /// Light x264 settings so the test machine keeps up; the product default is veryfast.
    static let transcodeConfig = "transcode:\n  enabled: true\n  preset: ultrafast\n"

    @Test func everyRungPlaysAtItsSizeAndBitrate() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: Self.transcodeConfig))
        let publisher = try MediaTools.publishLesson(to: relay.url("ladder"), seconds: 40)
        defer { publisher.signal(SIGKILL) }
        try await relay.waitForStreamsLive()
        #expect(publisher.isRunning, "publisher refused: \(publisher.stderr)")

        let dir = try makeTemporaryDirectory("rungs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let targets = [("720p", 1280, 720, 1800.0), ("480p", 854, 480, 900.0), ("360p", 640, 360, 450.0)]
        let audioTargets = ["720p": 96.0, "480p": 64.0, "360p": 48.0]
        // Three players at once, one per rung, 26 s each (the first seconds are left out below).
        let players = try targets.map { rung in
            try MediaTools.record(relay.url("ladder_\(rung.0)"), to: "\(dir)/\(rung.0).flv", seconds: 26, copyTimestamps: true)
        }
        for player in players { await player.wait(timeout: .seconds(45)) }

        for (i, (name, width, height, kbps)) in targets.enumerated() {
            let probe = try await RungProbe.of("\(dir)/\(name).flv")
            #expect(probe.width == width && probe.height == height, "\(name): \(probe.width)x\(probe.height) \(players[i].stderr)")
            #expect(probe.seconds >= 20, "\(name): only \(probe.seconds) s of video")
            #expect(abs(probe.videoKbps - kbps) / kbps <= 0.25, "\(name): \(Int(probe.videoKbps)) kbit/s for a target of \(Int(kbps))")
            // Each rung's AAC is re-encoded at its own bitrate (the source sends 96 kbit/s).
            let audio = audioTargets[name]!
            #expect(abs(probe.audioKbps - audio) / audio <= 0.25, "\(name): audio \(Int(probe.audioKbps)) kbit/s for a target of \(Int(audio))")
            print(
                "rung \(name): \(probe.width)x\(probe.height) \(Int(probe.videoKbps)) kbit/s, audio \(Int(probe.audioKbps)) kbit/s over \(Int(probe.seconds)) s"
            )
        }
        // Keyframes at the same timestamps on every rung (where the recordings overlap).
        var keyframes: [[Int]] = []
        var range = (Double(0), Double.infinity)
        for (name, _, _, _) in targets {
            let video = try await MediaTools.packets(of: "\(dir)/\(name).flv").filter(\.isVideo)
            range = (max(range.0, video.first?.dtsMillis ?? 0), min(range.1, video.last?.dtsMillis ?? 0))
            keyframes.append(video.filter(\.isKey).map { Int($0.dtsMillis.rounded()) })
        }
        let aligned = keyframes.map { $0.filter { Double($0) > range.0 + 100 && Double($0) < range.1 - 100 } }
        #expect(aligned[0].count >= 5, "keyframes every 2 s: \(aligned[0])")
        #expect(aligned.allSatisfy { $0 == aligned[0] }, "keyframes not aligned: \(aligned)")
        let errors = try await MediaTools.decodeErrors(of: "\(dir)/360p.flv")
        #expect(errors.isEmpty, "360p decodes cleanly: \(String(errors.prefix(300)))")
        #expect(relay.child.stderr.contains("transcoding"), "\(relay.child.stderr)")
        _ = await relay.stop()
    }

    @Test func aSiteOf1000KbpsGetsNoRungAbove480p() async throws {
        let relay = try await RelaydServer(config: RelaydServer.timetableConfig + Self.transcodeConfig)
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, body) in [
            ("central", ["id": "central", "name": "中心学校", "role": "central"] as [String: Any]),
            ("site", ["id": "site", "name": "教学点", "role": "site", "bandwidthKbps": 1000]),
        ] {
            let reply = try await api.call("POST", "/schools", body)
            #expect(reply.status == 201)
            keys[id] = reply.object["key"] as? String
        }
        #expect(try await api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": "site", "program": "dedicated"]).status == 201)
        let now = Date()
        #expect(
            try await api.call(
                "POST", "/classes",
                [
                    "id": "yuwen", "title": "语文", "program": "dedicated", "centralSchoolId": "central",
                    "startsAt": rfc3339(now.addingTimeInterval(-60)), "endsAt": rfc3339(now.addingTimeInterval(3600)), "siteIds": ["site"],
                ]
            ).status == 201)

        let publisher = try MediaTools.publishLesson(to: relay.url("yuwen?key=\(keys["central"]!)"), seconds: 30)
        defer { publisher.signal(SIGKILL) }
        // The ladder is decided once the source's bitrate is measured: until then the live view lists the source alone.
        try await waitUntil("the ladder decided") {
            let renditions = try await api.call("GET", "/classes/yuwen/live").object["renditions"] as? [[String: Any]] ?? []
            return renditions.contains { $0["name"] as? String == "360p" }
        }
        let dir = try makeTemporaryDirectory("site1000")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let player = try MediaTools.record(relay.url("yuwen?key=\(keys["site"]!)"), to: "\(dir)/site.flv", seconds: 10)

        let live = try await waitUntil(timeout: .seconds(30), every: .milliseconds(250)) {
            try await api.call("GET", "/classes/yuwen/live").object
        } until: {
            !($0["viewers"] as? [[String: Any]] ?? []).isEmpty
        }
        let viewers = live["viewers"] as? [[String: Any]] ?? []
        let renditions = live["renditions"] as? [[String: Any]] ?? []
        #expect(Set(renditions.compactMap { $0["name"] as? String }) == ["source", "720p", "480p", "360p"])
        #expect(viewers.count == 1)
        #expect(viewers.first?["siteId"] as? String == "site")
        // 480p is 964 kbit/s in total: × 1.2 it does not fit 1000, so the site is on 360p.
        #expect(viewers.first?["rendition"] as? String == "360p", "\(viewers)")
        await player.wait(timeout: .seconds(30))
        let probe = try await RungProbe.of("\(dir)/site.flv")
        #expect(probe.height > 0 && probe.height <= 480, "the site got \(probe.width)x\(probe.height)")
        #expect(probe.videoFrames >= 150, "\(probe.videoFrames) frames in 10 s")

        // A pinned rung plays as asked, with the site's key; publishing to a rung is refused.
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=height", "-of", "csv=p=0",
                relay.url("yuwen_720p?key=\(keys["site"]!)"),
            ], timeout: .seconds(20))
        #expect(code == 0 && out.contains("720"), "pinned 720p: \(err)")
        _ = await relay.stop()
    }
}
