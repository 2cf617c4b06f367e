import Foundation
import ProcessTestSupport
import Testing

/// Who may publish and play over SRT: the timetable (refusals as SRT reject reasons), the
/// passphrase, and hostile publishers; the listener keeps serving everyone else.
@Suite(.serialized)
struct SRTAccessTests {
    @Test func timetableKeysDecideOverSRT() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\npublisher:\n  graceSeconds: 2\n")
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, role) in [("central", "central"), ("site-a", "site"), ("stranger", "site")] {
            var body: [String: Any] = ["id": id, "name": id, "role": role]
            if role == "site" { body["bandwidthKbps"] = 4000 }
            let r = try await api.call("POST", "/schools", body)
            #expect(r.status == 201)
            keys[id] = r.object["key"] as? String
        }
        #expect(try await api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": "site-a", "program": "dedicated"]).status == 201)
        let now = Date()
        #expect(
            try await api.call(
                "POST", "/classes",
                [
                    "id": "physics", "title": "物理", "program": "dedicated", "centralSchoolId": "central",
                    "startsAt": rfc3339(now.addingTimeInterval(-60)), "endsAt": rfc3339(now.addingTimeInterval(3600)), "siteIds": ["site-a"],
                ]
            ).status == 201)

        // Refused publishers: a site's key, an unknown class. The reason is logged, never the key.
        for (name, url) in [
            ("site key", relay.srtURL("physics", mode: "publish", key: keys["site-a"]!)),
            ("unknown class", relay.srtURL("nosuch", mode: "publish", key: keys["central"]!)),
            ("no key", relay.srtURL("physics", mode: "publish")),
        ] {
            let refused = try SRTTools.publish(to: url, seconds: 3)
            #expect(await refused.wait(timeout: .seconds(20)) != 0, "\(name) must be refused")
        }
        let log = relay.child.stderr
        #expect(log.contains("srt refused"))
        #expect(log.contains("code=1404"), "an unknown class is 1404")
        #expect(log.contains("code=1403"), "a wrong key is 1403")

        // The central school's key publishes; a site of the class plays; the stranger cannot.
        let publisher = try SRTTools.publish(to: relay.srtURL("physics", mode: "publish", key: keys["central"]!), seconds: 20)
        // A site joining in the stream's first GOP: its recording decodes without an error (the
        // publisher's first audio frames, before its first picture, were once clamped onto it).
        try await relay.waitForStreamsLive()
        #expect(publisher.isRunning, "central key refused: \(publisher.stderr)")
        let (strangerCode, _) = try await SRTTools.decode(relay.srtURL("physics", mode: "request", key: keys["stranger"]!), seconds: 1, timeout: 20)
        #expect(strangerCode != 0, "an unpaired site is refused")

        let dir = try makeTemporaryDirectory("srtacl")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let viewer = try SRTTools.record(relay.srtURL("physics", mode: "request", key: keys["site-a"]!), to: dir + "/a.ts", seconds: 6)
        let live = try await waitUntil(timeout: .seconds(20), every: .milliseconds(250)) {
            try await api.call("GET", "/classes/physics/live")
        } until: { live in
            (live.object["viewers"] as? [[String: Any]] ?? []).contains { $0["protocol"] as? String == "srt" && $0["rttMs"] != nil }
        }
        let viewers = live.object["viewers"] as? [[String: Any]] ?? []
        #expect((live.object["publisher"] as? [String: Any])?["protocol"] as? String == "srt")
        #expect(
            viewers.contains {
                $0["siteId"] as? String == "site-a" && $0["protocol"] as? String == "srt" && $0["rttMs"] != nil
                    && $0["lossPercent"] != nil && $0["sendMbps"] != nil && $0["sendBufferMs"] != nil
            },
            "the live view shows the SRT viewer with its link statistics: \(viewers)")
        #expect(await viewer.wait(timeout: .seconds(30)) == 0, "site-a plays: \(viewer.stderr)")
        let errors = try await MediaTools.decodeErrors(of: dir + "/a.ts")
        #expect(errors.isEmpty, "\(errors)")

        let all = relay.child.stderr + relay.child.stdout
        for key in keys.values { #expect(!all.contains(key), "keys never reach the log") }
        publisher.signal(SIGINT)
        await publisher.wait(timeout: .seconds(10))
        #expect(await relay.stop() == 0)
    }

    /// Admission answers from the timetable snapshot in libsrt's listen callback without waiting,
    /// so 50 callers arriving at once (half with a wrong key) never stall the receive thread that
    /// every SRT link on the port shares: a player's stream keeps arriving without a gap.
    @Test func fiftyCallersAtOnceNeverStallAPlayersStream() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\ntranscode:\n  enabled: false\n")
        let keys = try await OneClassTimetable.make(on: relay, classId: "math", title: "数学", bandwidthKbps: 8000)
        let publisher = try SRTTools.publish(to: relay.srtURL("math", mode: "publish", key: keys["central"]!), seconds: 30)
        defer { publisher.signal(SIGKILL) }
        try await relay.waitForStreamsLive()
        // The player: srt-live-transmit forwarding each SRT message as a UDP datagram to a script
        // that says when the stream has flowed steadily (1 s without a 100 ms gap; a young
        // stream's publisher pauses about 0.5 s after its first burst), then reports the
        // longest time between two datagrams from there (stdout would batch its writes).
        let gaps = """
            import socket, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); s.settimeout(1.0)
            print("bound", flush=True)
            end = time.time() + float(sys.argv[2]); last = None; worst = 0.0; total = 0; steadySince = None; steady = False
            while time.time() < end:
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    continue
                now = time.time(); total += len(data)
                gap = now - last if last is not None else 0.0
                if steady: worst = max(worst, gap)
                elif gap > 0.1 or steadySince is None: steadySince = now
                elif now - steadySince >= 1.0:
                    steady = True; print("steady", flush=True)
                last = now
            print(f"{worst * 1000:.0f} {total}", flush=True)
            """
        let dir = try makeTemporaryDirectory("srt-burst")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try gaps.write(toFile: dir + "/gaps.py", atomically: true, encoding: .utf8)
        let port = try freePort()
        let meter = try ChildProcess("/usr/bin/python3", [dir + "/gaps.py", "\(port)", "12"])
        defer { meter.signal(SIGKILL) }
        #expect(await meter.waitForOutput(timeout: .seconds(10)) { $0.contains("bound") }, "\(meter.stderr)")
        let player = try ChildProcess(
            "timeout",
            [
                "-k", "1", "13", "srt-live-transmit", "-a:no", "-q", relay.srtURL("math", mode: "request", key: keys["site-a"]!),
                "udp://127.0.0.1:\(port)",
            ])
        defer { player.signal(SIGKILL) }
        // The callers come once the player's stream flows steadily.
        #expect(await meter.waitForOutput(timeout: .seconds(10)) { $0.contains("steady") }, "\(meter.stdout) \(player.stderr)")
        var callers: [ChildProcess] = []
        for i in 0..<50 {
            let key = i % 2 == 0 ? keys["site-a"]! : "wrong\(i)"
            callers.append(
                try ChildProcess(
                    "timeout",
                    [
                        "-k", "1", "3", "srt-live-transmit", "-a:no", "-q", relay.srtURL("math", mode: "request", key: key), "file://con",
                    ]))
        }
        await withTaskGroup(of: Void.self) { group in
            for caller in callers { group.addTask { _ = await caller.wait(timeout: .seconds(6)) } }
        }
        _ = await meter.wait(timeout: .seconds(20))  // it reports and ends after its 12 s
        let fields = (meter.stdout.split(separator: "\n").last ?? "").split(separator: " ").compactMap {
            Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(fields.count == 2, "the player's report: \(meter.stdout) \(meter.stderr) \(player.stderr)")
        #expect(fields[1] > 500_000, "the player received the stream: \(fields[1]) bytes")
        print("srt callers: the player's longest gap \(fields[0]) ms while 50 callers connected")
        #expect(fields[0] < 200, "the longest gap in the player's stream while 50 callers connected: \(fields[0]) ms")
        let refusals = relay.child.stderr.components(separatedBy: "srt refused").count - 1
        #expect(refusals >= 25, "the wrong keys were refused in the handshake (\(refusals))")
        #expect(!relay.child.stderr.contains("no access decision"), "no decision waited for")
        #expect(await relay.stop() == 0)
    }

    @Test func aWrongPassphraseIsRefusedAndTheRightOneWorks() async throws {
        let passphrase = "correct-horse-battery"
        let relay = try await RelaydServer(
            config: RelaydServer.openConfig(extra: "srt:\n  passphrase: \(passphrase)\n  pbkeylen: 32\n  latencyMs: 250\n"))
        for (name, options) in [("wrong", "passphrase=wrong-passphrase&pbkeylen=32"), ("none", "")] {
            let refused = try SRTTools.publish(to: relay.srtURL("secret", mode: "publish", options: options), seconds: 3)
            #expect(await refused.wait(timeout: .seconds(20)) != 0, "\(name) passphrase must be refused")
        }
        let publisher = try SRTTools.publish(
            to: relay.srtURL("secret", mode: "publish", options: "passphrase=\(passphrase)&pbkeylen=32"), seconds: 12
        )
        try await relay.waitForStreamsLive()
        #expect(publisher.isRunning, "right passphrase refused: \(publisher.stderr)")
        let (code, err) = try await SRTTools.decode(
            relay.srtURL("secret", mode: "request", options: "passphrase=\(passphrase)&pbkeylen=32"), seconds: 2
        )
        #expect(code == 0 && err.isEmpty, "encrypted play: \(err)")
        publisher.signal(SIGINT)
        await publisher.wait(timeout: .seconds(10))
        #expect(await relay.stop() == 0)
    }

    @Test func malformedTSNeverHurtsTheRelay() async throws {
        let relay = try await RelaydServer()
        let dir = try makeTemporaryDirectory("srtnoise")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A well-behaved lesson on another class, throughout.
        let good = try SRTTools.publish(to: relay.srtURL("good", mode: "publish"), seconds: 20)
        // Pure noise: the publisher is dropped with a logged reason.
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<1_200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(noise).write(to: URL(fileURLWithPath: dir + "/noise.bin"))
        let noisy = try SRTTools.sendRaw(dir + "/noise.bin", bytesPerSecond: 300_000, to: relay.srtURL("noise", mode: "publish"))
        // Noise, then a real stream with broken sync bytes and a cut in it, on one connection:
        // it plays, and recovers after the damage.
        let (tsCode, _, tsErr) = try await runTool(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "10",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-f", "mpegts", "-y", dir + "/lesson.ts",
            ])
        #expect(tsCode == 0, "\(tsErr)")
        var damaged = Array(noise.prefix(50_000)) + (try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/lesson.ts"))))
        let middle = 50_000 + (damaged.count - 50_000) / 3
        for i in stride(from: middle, to: middle + 188 * 30, by: 188) { damaged[i] = 0x00 }
        damaged.removeSubrange((middle + 188 * 40)..<(middle + 188 * 40 + 999))
        try Data(damaged).write(to: URL(fileURLWithPath: dir + "/damaged.ts"))
        let recovering = try SRTTools.sendRaw(
            dir + "/damaged.ts", bytesPerSecond: damaged.count / 9, to: relay.srtURL("recovering", mode: "publish")
        )
        // Not a condition: the paced sender is about 4 s in, past the damage (a third of its 9 s); what it
        // sends then is what must play.
        try await Task.sleep(for: .seconds(4))
        let recording = try MediaTools.record(relay.url("recovering"), to: dir + "/recovered.flv", seconds: 6)

        let (goodCode, goodErr) = try await SRTTools.decode(relay.srtURL("good", mode: "request"), seconds: 2)
        #expect(goodCode == 0 && goodErr.isEmpty, "others are served: \(goodErr)")
        #expect(await noisy.wait(timeout: .seconds(20)) != nil)
        #expect(relay.child.stderr.contains("srt publisher closed"), "the noise publisher's end is logged")
        #expect(relay.child.stderr.contains("no H.264 or AAC stream"), "with its reason: \(relay.child.stderr)")
        await recovering.wait(timeout: .seconds(20))
        await recording.wait(timeout: .seconds(20))
        let video = try await MediaTools.packets(of: dir + "/recovered.flv").filter(\.isVideo)
        #expect(video.count >= 60, "the stream after the noise plays: \(video.count) frames")
        #expect(video.first?.isKey == true)
        #expect(relay.child.isRunning)
        good.signal(SIGINT)
        await good.wait(timeout: .seconds(10))
        #expect(await relay.stop() == 0)
    }
}
