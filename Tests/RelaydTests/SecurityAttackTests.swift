import Foundation
import NIOCore
import ProcessTestSupport
import RTMP
import Testing

/// Attacks from issue #31 tried against the real relayd: recording rows naming files outside the
/// recordings directory, the admin token as `?key=`, enumerating classes and sites without a
/// key, big RTMP messages before any key was checked, short admin tokens.
@Suite(.serialized)
struct SecurityAttackTests {
    // MARK: Recording files

    @Test func recordingRowsNamingFilesOutsideTheDirectoryServeNothingAndTouchNothing() async throws {
        let dir = try makeTemporaryDirectory("recfiles")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A first start makes the database and the recordings directory.
        let first = try await RelaydServer(config: RelaydServer.timetableConfig, reuseDataDir: dir)
        let token = first.adminToken
        #expect(await first.stop() == 0)
        let recordings = dir + "/var/recordings"
        #expect(FileManager.default.fileExists(atPath: recordings))

        // Victims outside the directory, a link planted inside it, and one real recording file.
        let victims = ["truncate", "delete", "link"].map { dir + "/victim-\($0).txt" }
        for victim in victims { try "precious \(victim)\n".write(toFile: victim, atomically: true, encoding: .utf8) }
        try FileManager.default.createSymbolicLink(atPath: recordings + "/rec-dddddddddd.mp4", withDestinationPath: victims[2])
        let realBytes = "the bytes of a real recording\n"
        try realBytes.write(toFile: recordings + "/rec-eeeeeeeeee.mp4", atomically: true, encoding: .utf8)

        // Rows written straight into the database, as anyone who can write one row could.
        let old = 946_684_800_000  // 2000-01-01: past any retention
        let now = Int(Date().timeIntervalSince1970 * 1000)
        func row(_ id: String, _ at: Int, _ state: String, _ file: String) -> String {
            let ends = state == "recording" ? "NULL" : "\(at)"
            return "('\(id)', 'math', 't', 'dedicated', 'c1', 's1', \(at), \(at), \(ends), 1000, 64, '\(state)', '\(file)')"
        }
        let rows = [
            row("rec-aaaaaaaaaa", old, "recording", "../../victim-truncate.txt"),  // cut back at start, then retention
            row("rec-bbbbbbbbbb", old, "complete", "../../victim-delete.txt"),  // retention
            row("rec-cccccccccc", now, "complete", "../../../../../../../../../../../etc/passwd"),  // served
            row("rec-dddddddddd", now, "complete", "rec-dddddddddd.mp4"),  // a link in the directory
            row("rec-eeeeeeeeee", now, "complete", "rec-eeeeeeeeee.mp4"),  // a real file
        ]
        let sql =
            "INSERT INTO recordings (id, class_id, title, program, central_school_id, site_ids, occurrence_starts_at, "
            + "starts_at, ends_at, duration_ms, bytes, state, file) VALUES " + rows.joined(separator: ", ")
        let (inserted, _, insertErr) = try await runTool("sqlite3", [dir + "/var/relay.db", sql])
        try #require(inserted == 0, "sqlite3: \(insertErr)")

        let relay = try await RelaydServer(config: RelaydServer.timetableConfig, reuseDataDir: dir)
        // Start: the `recording` row is marked interrupted, then retention removes both old rows.
        let ids = try await waitUntil(timeout: .seconds(20), every: .milliseconds(250)) {
            try await relay.api.call("GET", "/recordings").array.compactMap { $0["id"] as? String }
        } until: {
            !$0.contains("rec-aaaaaaaaaa") && !$0.contains("rec-bbbbbbbbbb")
        }
        #expect(ids.sorted() == ["rec-cccccccccc", "rec-dddddddddd", "rec-eeeeeeeeee"], "\(ids)")
        // Recent and complete: the /etc/passwd row is never due for retention (see below).

        // Nothing outside is served; the real file is, with the admin token as Bearer only.
        let media = relay.server + "/recordings/"
        #expect(try await Curl.call(media + "rec-cccccccccc.mp4", token: token).status == 404)
        #expect(try await Curl.call(media + "rec-cccccccccc/index.m3u8", token: token).status == 404)
        #expect(try await Curl.call(media + "rec-dddddddddd.mp4", token: token).status == 404)
        let real = try await Curl.call(media + "rec-eeeeeeeeee.mp4", token: token)
        #expect(real.status == 200 && real.body == realBytes, "\(real.status) \(real.body)")
        // The admin token as `?key=` (it would end up in access logs): refused.
        let asKey = try await Curl.call(media + "rec-eeeeeeeeee.mp4?key=\(token)")
        #expect(asKey.status == 403, "\(asKey.status) \(asKey.body)")

        // Removal through the API removes the row, never a file outside (nor the planted link's
        // target). Only temporary victims are ever offered for removal: the /etc/passwd row is only
        // read (code without this defence, run as root, deletes what such a row names).
        #expect(try await relay.api.call("DELETE", "/recordings/rec-dddddddddd").status == 204)
        for victim in victims {
            let text = try? String(contentsOfFile: victim, encoding: .utf8)
            #expect(text == "precious \(victim)\n", "\(victim) was changed: \(text ?? "gone")")
        }
        #expect(FileManager.default.fileExists(atPath: "/etc/passwd"))
        #expect(relay.child.stderr.contains("names no"), "the refusal to touch a named file is logged")
        #expect(!relay.child.stderr.contains(token))
        #expect(await relay.stop() == 0)
    }

    // MARK: Enumerating classes and sites

    @Test func withoutAValidKeyAKnownAndAnUnknownClassOrSiteGetTheSameAnswer() async throws {
        let relay = try await RelaydServer(config: RelaydServer.timetableConfig)
        let keys = try await OneClassTimetable.make(on: relay, classId: "math", title: "数学", bandwidthKbps: 2000)
        let sdp = ["-H", "Content-Type: application/sdp", "--data-binary", "v=0\r\n"]
        // (what, known, unknown, method, a valid key that may use the known one)
        let probes: [(String, String, String, String, String)] = [
            ("WHEP", "/whep/live/math", "/whep/live/nosuch", "POST", keys["site-a"]!),
            ("WHIP", "/whip/live/math", "/whip/live/nosuch", "POST", keys["central"]!),
            ("HLS", "/hls/live/math/index.m3u8", "/hls/live/nosuch/index.m3u8", "GET", keys["site-a"]!),
            ("FLV", "/flv/live/math.flv", "/flv/live/nosuch.flv", "GET", keys["site-a"]!),
            ("watch page", "/watch/math", "/watch/nosuch", "GET", keys["site-a"]!),
            ("teacher wall", "/teacher/math", "/teacher/nosuch", "GET", keys["central"]!),
            ("return feed", "/whep/live/math~site-a", "/whep/live/math~stranger", "POST", keys["central"]!),
        ]
        for (what, known, unknown, method, validKey) in probes {
            let extra = method == "POST" ? sdp : []
            func ask(_ path: String, key: String?) async throws -> Curl.Reply {
                let query = key.map { "?key=\($0)" } ?? ""
                return try await Curl.call(relay.server + path + query, method: method, extra: extra + ["--max-time", "3"])
            }
            for key in ["not-a-key-\(UUID().uuidString)", String(keys["stranger"]!.dropLast(2)) + "zz"] {
                let a = try await ask(known, key: key)
                let b = try await ask(unknown, key: key)
                #expect(a.status == 403 && b.status == 403, "\(what) with a bad key: \(a.status) / \(b.status)")
                #expect(Self.sameJSON(a.body, b.body), "\(what): the answers differ: \(a.body) / \(b.body)")
            }
            let noKeyKnown = try await ask(known, key: nil)
            let noKeyUnknown = try await ask(unknown, key: nil)
            #expect(noKeyKnown.status == noKeyUnknown.status && Self.sameJSON(noKeyKnown.body, noKeyUnknown.body), "\(what) without a key")
            // A caller holding a valid key still gets the contract's 404 for what does not exist.
            #expect(try await ask(unknown, key: validKey).status == 404, "\(what): unknown with a valid key")
        }
        #expect(await relay.stop() == 0)
    }

    /// The same JSON value (the API writes an object's keys in no fixed order).
    static func sameJSON(_ a: String, _ b: String) -> Bool {
        guard let x = try? JSONSerialization.jsonObject(with: Data(a.utf8)) as? NSDictionary,
            let y = try? JSONSerialization.jsonObject(with: Data(b.utf8)) as? NSDictionary
        else { return a == b }
        return x.isEqual(y)
    }

    // MARK: RTMP before any key

    @Test func rtmpConnectionsWithoutAnAllowedPublishCannotMakeTheRelayBufferBigMessages() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig())
        let baseline = try #require(ProcessProbe.rssKiB(relay.child.pid))
        // 50 connections: handshake, connect, then the first 1 MiB of a 16 MiB video message.
        var big = ByteBuffer()
        RTMPChunkEncoder(chunkSize: 4096).encode(
            RTMPMessage(type: .video, streamID: 1, payload: ByteBuffer(repeating: 0xAB, count: (16 << 20) - 16)), csid: 6, into: &big
        )
        let firstMiB = Array(big.readableBytesView.prefix(1 << 20))
        var setChunkSize = ByteBuffer()
        var size = ByteBuffer()
        size.writeInteger(UInt32(4096))
        RTMPChunkEncoder().encode(RTMPMessage(type: .setChunkSize, payload: size), csid: 2, into: &setChunkSize)
        var peers: [RawRTMPClient] = []
        var peak = baseline
        for _ in 0..<50 {
            let peer = try RawRTMPClient(port: relay.rtmpPort, source: "127.0.0.4")
            try peer.handshake()
            try peer.command([.string("connect"), .number(1), .object(["app": .string("live"), "tcUrl": .string("rtmp://127.0.0.1/live")])])
            try peer.send(setChunkSize)
            try? peer.send(firstMiB)  // the relay may close before it is all sent
            peers.append(peer)
            peak = max(peak, ProcessProbe.rssKiB(relay.child.pid) ?? 0)
        }
        try await waitUntil("the relay closing all 50") { try await relay.metric("relay_connections_open", ["protocol": "rtmp"]) == 0 }
        peak = max(peak, ProcessProbe.rssKiB(relay.child.pid) ?? 0)
        #expect(peers.allSatisfy { $0.isClosedByServer(within: 3) }, "every such connection is closed")
        let growth = peak - baseline
        #expect(growth < 16 * 1024, "50 connections sending 1 MiB each before a publish cost \(growth) KiB")
        #expect(relay.child.stderr.contains("before a publish was allowed"))
        peers = []

        // A real publisher's keyframes are bigger than that limit once its publish is allowed.
        let url = relay.url("bigframes")
        let publisher = try ChildProcess(
            "ffmpeg",
            [
                "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25,noise=alls=80",
                "-t", "20", "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-qp", "8", "-g", "25",
                "-pix_fmt", "yuv420p", "-f", "flv", url,
            ])
        defer { publisher.signal(SIGKILL) }
        let recording = NSTemporaryDirectory() + "bigframes-\(UUID().uuidString.prefix(6)).flv"
        defer { try? FileManager.default.removeItem(atPath: recording) }
        try await relay.waitForStreamsLive()
        let player = try MediaTools.record(url, to: recording, seconds: 3)
        #expect(await player.wait(timeout: .seconds(20)) == 0, "\(player.stderr)")
        let (_, sizes, _) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v", "-show_entries", "packet=size", "-of", "csv=p=0", recording,
            ])
        let largest = sizes.split(separator: "\n").compactMap { Int($0) }.max() ?? 0
        #expect(largest > 64 * 1024, "the test publisher's largest frame is \(largest) bytes")
        print("rtmp before publish: 50 × 1 MiB of a 16 MiB message → RSS +\(growth) KiB, all closed; a publisher's \(largest)-byte keyframes pass")
        #expect(await relay.stop() == 0)
    }

    // MARK: The admin token

    @Test func anAdminTokenShorterThan32CharactersIsRefusedAtStart() async throws {
        let dir = try makeTemporaryDirectory("shorttoken")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try RelaydServer.timetableConfig.write(toFile: dir + "/relayd.yaml", atomically: true, encoding: .utf8)
        let arguments = [
            "--config", dir + "/relayd.yaml", "--data-dir", dir + "/var", "--host", "127.0.0.1",
            "--rtmp-port", "0", "--http-port", "0", "--srt-port", "0", "--webrtc-port", "0",
        ]
        let short = "short-but-31-characters-long-xx"
        #expect(short.count == 31)
        let fromEnvironment = try ChildProcess(RelaydServer.binaryPath, arguments, environment: ["RELAYD_ADMIN_TOKEN": short])
        #expect(await fromEnvironment.wait(timeout: .seconds(20)) == 2)
        let lines = fromEnvironment.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("RELAYD_ADMIN_TOKEN") && lines[0].contains("32"), "\(fromEnvironment.stderr)")
        #expect(!fromEnvironment.stderr.contains(short))
        #expect(!fromEnvironment.stdout.contains("listening"))

        try FileManager.default.createDirectory(atPath: dir + "/var", withIntermediateDirectories: true)
        try "0123456789abcdef\n".write(toFile: dir + "/var/admin.token", atomically: true, encoding: .utf8)
        let fromFile = try ChildProcess(RelaydServer.binaryPath, arguments, environment: ["RELAYD_ADMIN_TOKEN": ""])
        #expect(await fromFile.wait(timeout: .seconds(20)) == 2)
        let fileLines = fromFile.stderr.split(separator: "\n")
        #expect(fileLines.count == 1 && fileLines[0].contains("admin.token"), "\(fromFile.stderr)")
        #expect(!fromFile.stderr.contains("0123456789abcdef"))

        // 32 characters start.
        let ok = try await RelaydServer(
            config: RelaydServer.timetableConfig, environment: ["RELAYD_ADMIN_TOKEN": String(repeating: "k", count: 32)]
        )
        #expect(try await Curl.call(ok.apiBase + "/schools", token: String(repeating: "k", count: 32)).status == 200)
        #expect(await ok.stop() == 0)
    }
}
