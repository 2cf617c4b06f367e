import Foundation
import ProcessTestSupport
import Testing

/// Recording and replay with real clients: ffmpeg publishes, ffprobe/ffmpeg read the files and
/// the HLS VOD playlist, curl checks byte ranges and access, Chromium plays and seeks the replay
/// page and plays the playlist natively, classctl lists, downloads and removes.
@Suite(.serialized)
struct RecordingTests {
    static var classctl: String { (RelaydServer.binaryPath as NSString).deletingLastPathComponent + "/classctl" }
    static var browserScripts: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Browser")
    }

    @Test func aFamousSchoolLessonIsRecordedAndServedAndADedicatedOneOnlyWhenAsked() async throws {
        let relay = try await RelaydServer(config: RecordedTimetable.config)
        let keys = try await RecordedTimetable.make(on: relay)
        let famous = try MediaTools.publish(to: relay.url("famous?key=\(keys["c1"]!)"), seconds: 20, gop: 50)
        let plain = try MediaTools.publish(to: relay.url("plain?key=\(keys["c2"]!)"), seconds: 6, gop: 50)
        defer {
            famous.signal(SIGKILL)
            plain.signal(SIGKILL)
        }
        // While it is written: listed as recording, with a growing (EVENT) playlist.
        let during = try await RecordedTimetable.recordings(of: "famous", on: relay, timeout: .seconds(10)) { !$0.isEmpty }
        #expect(during.first?["state"] as? String == "recording", "\(during)")
        _ = await famous.wait(timeout: .seconds(40))
        let list = try await RecordedTimetable.recordings(of: "famous", on: relay, until: RecordedTimetable.allComplete)
        try #require(list.count == 1, "one recording for the occurrence: \(list)")
        let recording = list[0]
        let id = try #require(recording["id"] as? String)
        #expect(recording["title"] as? String == "名校英语" && recording["program"] as? String == "famous-school")
        let seconds = recording["durationSeconds"] as? Double ?? 0
        #expect(abs(seconds - 20) <= 2, "\(recording)")
        #expect(try await relay.api.call("GET", "/recordings?classId=plain").array.isEmpty, "a dedicated class is not recorded by default")

        // The file: H.264 + AAC, 20 ± 2 s, a keyframe first, decodes cleanly.
        let path = relay.dataDir + "/var/recordings/\(id).mp4"
        let probe = try await RecordedTimetable.probe(path)
        #expect(abs(probe.duration - 20) <= 2, "ffprobe duration \(probe.duration)")
        #expect(probe.codecs.sorted() == ["aac", "h264"], "\(probe.codecs)")
        #expect(probe.keyframeFirst)
        #expect(try await MediaTools.decodeErrors(of: path).isEmpty)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        #expect(recording["bytes"] as? Int == size)

        // Byte ranges and access.
        let site = keys["site-a"]!
        let file = "\(relay.server)/recordings/\(id).mp4"
        let dir = try makeTemporaryDirectory("rec")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let head = try await Curl.call(file + "?key=\(site)", extra: ["-H", "Range: bytes=0-99", "-o", dir + "/head"])
        #expect(head.status == 206)
        #expect(head.header("Content-Range") == "bytes 0-99/\(size)")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: dir + "/head")))?.count == 100, "exactly 100 bytes")
        #expect(try await Curl.call(file + "?key=\(site)", extra: ["-H", "Range: bytes=\(size + 10)-", "-o", "/dev/null"]).status == 416)
        let etag = try #require(head.header("ETag"))
        let stale = try await Curl.call(file + "?key=\(site)", extra: ["-H", "Range: bytes=0-99", "-H", "If-Range: \"old\"", "-o", "/dev/null"])
        #expect(stale.status == 200, "a stale If-Range gets the whole file")
        #expect(
            try await Curl.call(file + "?key=\(site)", extra: ["-H", "Range: bytes=0-99", "-H", "If-Range: \(etag)", "-o", "/dev/null"]).status == 206
        )
        #expect(try await Curl.call(file, extra: ["-o", "/dev/null"]).status == 401, "no key")
        #expect(try await Curl.call(file + "?key=\(keys["site-b"]!)", extra: ["-o", "/dev/null"]).status == 403, "another class's site")
        #expect(try await Curl.call(file, token: relay.adminToken, extra: ["-o", "/dev/null"]).status == 200, "the admin token")
        #expect(try await Curl.call(file, token: keys["c1"]!, extra: ["-o", "/dev/null"]).status == 200, "the central school's key as Bearer")

        // The HLS VOD playlist: byte ranges of the one file, a token instead of the key; ffmpeg decodes it.
        let playlistURL = "\(relay.server)/recordings/\(id)/index.m3u8?key=\(site)"
        let playlist = try await Curl.call(playlistURL)
        #expect(playlist.status == 200)
        #expect(playlist.body.contains("#EXT-X-PLAYLIST-TYPE:VOD") && playlist.body.contains("#EXT-X-BYTERANGE:"))
        #expect(playlist.body.contains("#EXT-X-ENDLIST"))
        #expect(!playlist.body.contains(site), "the key is not repeated in the playlist")
        let (vodCode, _, vodErrors) = try await runTool("ffmpeg", ["-v", "error", "-i", playlistURL, "-f", "null", "-"], timeout: .seconds(60))
        #expect(vodCode == 0 && vodErrors.isEmpty, "\(vodErrors)")

        // Chromium: the replay page plays and seeks; the playlist plays in its own HLS player.
        let (pageCode, pageOut, pageErr) = try await runTool(
            "/usr/bin/python3",
            [
                Self.browserScripts.appendingPathComponent("replay_page.py").path, "\(relay.server)/replay/\(id)?key=\(site)", "--seek-to", "12",
            ], timeout: .seconds(90))
        let replay = try #require(Self.lastJSON(pageOut), "replay_page.py (exit \(pageCode.map(String.init) ?? "?")): \(pageOut) \(pageErr)")
        #expect(replay["status"] as? Int == 200 && replay["lang"] as? String == "zh-CN", "\(replay)")
        #expect(replay["title"] as? String == "名校英语")
        #expect(pageCode == 0 && (replay["cspViolations"] as? [Any])?.isEmpty == true, "the page works under its CSP: \(replay)")
        #expect(replay["played"] as? Bool == true, "\(replay)")
        #expect(replay["seeked"] as? Bool == true, "a seek to 12 s lands there and plays on: \(replay)")
        #expect((replay["videoWidth"] as? Int ?? 0) > 0)
        let (_, nativeOut, nativeErr) = try await runTool(
            "/usr/bin/python3",
            [
                Self.browserScripts.appendingPathComponent("watch_page.py").path, playlistURL, "--play-seconds", "2",
            ], timeout: .seconds(90))
        let native = try #require(Self.lastJSON(nativeOut), "\(nativeOut) \(nativeErr)")
        #expect(native["advanced"] as? Bool == true && (native["videoWidth"] as? Int ?? 0) > 0, "Chromium's HLS player: \(native)")
        #expect(!relay.child.stderr.contains(site), "the key is never logged")

        // classctl: list, show, download (the same bytes), remove (file and entry).
        let global = ["--server", relay.server, "--token-file", relay.tokenFile]
        let (listCode, listed, _) = try await runTool(Self.classctl, global + ["recordings", "list", "--class", "famous"])
        #expect(listCode == 0 && listed.contains(id) && listed.contains("complete"), "\(listed)")
        let (showCode, shown, _) = try await runTool(Self.classctl, global + ["recordings", "show", id])
        #expect(showCode == 0 && shown.contains("名校英语"), "\(shown)")
        let (downloadCode, _, progress) = try await runTool(Self.classctl, global + ["recordings", "download", id, "-o", dir + "/copy.mp4"])
        #expect(downloadCode == 0 && progress.contains("100%"), "\(progress)")
        #expect(FileManager.default.contentsEqual(atPath: dir + "/copy.mp4", andPath: path))
        let metrics = try await relay.metricsText()
        let written = RelaydServer.sample("relay_recording_bytes_total", [:], in: metrics)
        #expect(written > 0, "metrics count the bytes written: \(metrics.split(separator: "\n").filter { $0.contains("recording") })")
        let (removeCode, _, _) = try await runTool(Self.classctl, global + ["recordings", "remove", id])
        #expect(removeCode == 0)
        #expect(try await relay.api.call("GET", "/recordings/\(id)").status == 404)
        #expect(!FileManager.default.fileExists(atPath: path) && !FileManager.default.fileExists(atPath: path + ".idx"))

        // A dedicated class asked to record is recorded.
        _ = await plain.wait(timeout: .seconds(10))
        let (updateCode, updated, updateErr) = try await runTool(Self.classctl, global + ["classes", "update", "plain", "--record", "true"])
        #expect(updateCode == 0 && updated.contains("record:") && updated.contains("yes"), "\(updated) \(updateErr)")
        #expect(try await relay.api.call("GET", "/classes/plain").object["record"] as? Bool == true)
        try await relay.waitForStreamEnd("plain")  // the earlier stream's grace period is over
        let again = try MediaTools.publish(to: relay.url("plain?key=\(keys["c2"]!)"), seconds: 5, gop: 50)
        defer { again.signal(SIGKILL) }
        _ = await again.wait(timeout: .seconds(20))
        let plainList = try await RecordedTimetable.recordings(of: "plain", on: relay, until: RecordedTimetable.allComplete)
        #expect(plainList.count == 1, "\(plainList)")
        #expect(await relay.stop() == 0)
    }

    @Test func aPublisherDropWithinTheGracePeriodContinuesTheSameRecording() async throws {
        let relay = try await RelaydServer(config: RecordedTimetable.config.replacingOccurrences(of: "graceSeconds: 3", with: "graceSeconds: 6"))
        let keys = try await RecordedTimetable.make(on: relay)
        let url = relay.url("famous?key=\(keys["c1"]!)")
        let first = try MediaTools.publish(to: url, seconds: 6, gop: 50)
        _ = await first.wait(timeout: .seconds(20))
        try await Task.sleep(for: .seconds(2))  // not a condition: the publisher is away 2 s, within the 6 s grace period
        let second = try MediaTools.publish(to: url, seconds: 6, gop: 50)
        defer { second.signal(SIGKILL) }
        _ = await second.wait(timeout: .seconds(20))
        let list = try await RecordedTimetable.recordings(of: "famous", on: relay, until: RecordedTimetable.allComplete)
        try #require(list.count == 1, "one recording across the drop: \(list)")
        let path = relay.dataDir + "/var/recordings/\(list[0]["id"] as? String ?? "").mp4"
        let seconds = list[0]["durationSeconds"] as? Double ?? 0
        #expect(abs(seconds - 12) <= 2, "both publishes, without the gap: \(list[0])")
        let video = try await MediaTools.packets(of: path).filter(\.isVideo).map(\.dtsMillis).sorted()
        let gaps = zip(video, video.dropFirst()).map { $1 - $0 }
        #expect((gaps.max() ?? 0) < 200, "no gap in the timestamps: the largest is \(gaps.max() ?? 0) ms")
        #expect(try await MediaTools.decodeErrors(of: path).isEmpty)
        #expect(await relay.stop() == 0)
    }

    @Test func sigkillMidRecordingLeavesAnInterruptedRecordingThatPlays() async throws {
        let dir = try makeTemporaryDirectory("relay-kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let relay = try await RelaydServer(config: RecordedTimetable.config, reuseDataDir: dir)
        let keys = try await RecordedTimetable.make(on: relay)
        let publisher = try MediaTools.publish(to: relay.url("famous?key=\(keys["c1"]!)"), seconds: 40, gop: 50)
        defer { publisher.signal(SIGKILL) }
        let started = try await RecordedTimetable.recordings(of: "famous", on: relay, timeout: .seconds(10)) { !$0.isEmpty }
        try #require(started.count == 1)
        let begin = ContinuousClock.now
        try await Task.sleep(for: .seconds(12))  // not a condition: the 12 s recorded before the kill, which the restart must find
        relay.child.signal(SIGKILL)
        let recorded = ContinuousClock.now - begin
        _ = await relay.child.wait(timeout: .seconds(10))
        publisher.signal(SIGKILL)

        let restarted = try await RelaydServer(config: RecordedTimetable.config, reuseDataDir: dir)
        let list = try await restarted.api.call("GET", "/recordings").array
        try #require(list.count == 1, "\(list)")
        #expect(list[0]["state"] as? String == "interrupted", "\(list[0])")
        let id = list[0]["id"] as? String ?? ""
        let path = dir + "/var/recordings/\(id).mp4"
        let lost = Double(recorded.components.seconds) - (list[0]["durationSeconds"] as? Double ?? 0)
        #expect(lost <= 3, "at most the unfinished GOP (2 s) is lost: \(list[0]) after \(recorded)")
        #expect(try await MediaTools.decodeErrors(of: path).isEmpty, "the file plays to its last complete fragment")
        let packets = try await MediaTools.packets(of: path)
        let played = (packets.filter(\.isVideo).map(\.dtsMillis).max() ?? 0) / 1000
        #expect(played >= Double(recorded.components.seconds) - 3, "plays \(played) s of \(recorded)")
        #expect(restarted.child.stderr.contains("recording was interrupted by a stop of the relay"))
        #expect(await restarted.stop() == 0)
    }

    static func lastJSON(_ out: String) -> [String: Any]? {
        out.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
}

/// Retention and a full disk, with real files: the oldest recording goes first when the
/// recordings are over `recording.maxDiskMB`; a recordings directory that fills up stops the
/// recording (logged, counted, `interrupted`) while a player keeps watching the lesson.
@Suite(.serialized)
struct RecordingDiskTests {
    @Test func overTheDiskLimitTheOldestRecordingIsRemovedFirst() async throws {
        let dir = try makeTemporaryDirectory("relay-retention")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let relay = try await RelaydServer(config: RecordedTimetable.config, reuseDataDir: dir)
        let keys = try await RecordedTimetable.make(on: relay)
        let url = relay.url("famous?key=\(keys["c1"]!)")
        // The first (older) one larger than 1 MiB, the second small.
        let big = try MediaTools.publishLesson(to: url, seconds: 5)
        _ = await big.wait(timeout: .seconds(20))
        _ = try await RecordedTimetable.recordings(of: "famous", on: relay, until: RecordedTimetable.allComplete)
        try await relay.waitForStreamEnd("famous")  // the next publish starts a stream, and a recording, of its own
        let small = try MediaTools.publish(to: url, seconds: 4, gop: 50)
        _ = await small.wait(timeout: .seconds(20))
        let both = try await RecordedTimetable.recordings(of: "famous", on: relay) { $0.count == 2 && RecordedTimetable.allComplete($0) }
        try #require(both.count == 2, "\(both)")
        #expect(await relay.stop() == 0)
        let (older, newer) = (both[0], both[1])
        let olderBytes = older["bytes"] as? Int ?? 0
        let newerBytes = newer["bytes"] as? Int ?? 0
        let limitMB = (newerBytes + (1 << 20) - 1) >> 20
        try #require(olderBytes + newerBytes > limitMB << 20, "sizes \(olderBytes), \(newerBytes)")

        // Restarted with a limit only the newer one fits under: the older one goes, file and entry.
        let limited = try await RelaydServer(
            config: RecordedTimetable.config + "recording:\n  maxDiskMB: \(limitMB)\n", reuseDataDir: dir
        )
        let left = try await limited.api.call("GET", "/recordings").array.map { $0["id"] as? String ?? "" }
        #expect(left == [newer["id"] as? String ?? "?"], "the oldest went first: \(left)")
        let olderID = older["id"] as? String ?? ""
        #expect(!FileManager.default.fileExists(atPath: dir + "/var/recordings/\(olderID).mp4"))
        #expect(limited.child.stderr.contains("recording removed"), "each removal is logged")
        #expect(limited.child.stderr.contains("maxDiskMB"))
        #expect(await limited.stop() == 0)
    }

    @Test func aRecordingsDirectoryThatCannotBeWrittenStopsOnlyTheRecording() async throws {
        let relay = try await RelaydServer(config: RecordedTimetable.config)
        let keys = try await RecordedTimetable.make(on: relay)
        let recordings = relay.dataDir + "/var/recordings"
        _ = try await waitUntil(timeout: .seconds(10)) {
            FileManager.default.fileExists(atPath: recordings)
        }
        let (locked, _, why) = try await runTool("chattr", ["+i", recordings])
        guard locked == 0 else {
            Issue.record("chattr +i refused (needs root): \(why)")
            _ = await relay.stop()
            return
        }
        defer { Task { _ = try? await runTool("chattr", ["-i", recordings]) } }
        let publisher = try MediaTools.publish(to: relay.url("famous?key=\(keys["c1"]!)"), seconds: 8, gop: 50)
        defer { publisher.signal(SIGKILL) }
        let list = try await RecordedTimetable.recordings(of: "famous", on: relay, timeout: .seconds(10)) {
            $0.first?["state"] as? String == "interrupted"
        }
        #expect(list.first?["state"] as? String == "interrupted" && list.first?["bytes"] as? Int == 0, "\(list)")
        #expect(relay.child.stderr.contains("recording failed to start; the lesson goes on"))
        #expect(try await relay.metricsText().contains("relay_recording_failures_total 1"))
        // The lesson plays.
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", relay.url("famous?key=\(keys["site-a"]!)"),
            ], timeout: .seconds(20))
        #expect(code == 0 && out.contains("h264"), "\(err)")
        _ = try await runTool("chattr", ["-i", recordings])
        #expect(await relay.stop() == 0)
    }

    @Test func aFullDiskStopsTheRecordingAndTheLessonPlaysOn() async throws {
        let dir = try makeTemporaryDirectory("relay-full")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let recordings = dir + "/var/recordings"
        try FileManager.default.createDirectory(atPath: recordings, withIntermediateDirectories: true)
        let (mounted, _, why) = try await runTool("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", recordings])
        guard mounted == 0 else {
            Issue.record("the full-disk test cannot mount a tmpfs (needs root): \(why.trimmingCharacters(in: .whitespacesAndNewlines))")
            return
        }
        try await running({ try await fillTheDisk(dir) }, thenCleaningUp: { _ = try? await runTool("umount", ["-l", recordings]) })
    }

    private func fillTheDisk(_ dir: String) async throws {
        let recordings = dir + "/var/recordings"
        let relay = try await RelaydServer(config: RecordedTimetable.config, reuseDataDir: dir)
        let keys = try await RecordedTimetable.make(on: relay)
        // ~3 Mbit/s: the 2 MiB disk is full after about five seconds.
        let publisher = try MediaTools.publishLesson(to: relay.url("famous?key=\(keys["c1"]!)"), seconds: 25)
        defer { publisher.signal(SIGKILL) }
        try await relay.waitForStreamsLive()
        let watched = dir + "/watched.flv"
        let player = try MediaTools.record(relay.url("famous?key=\(keys["site-a"]!)"), to: watched, seconds: 16)
        defer { player.signal(SIGKILL) }
        let stopped = try await RecordedTimetable.recordings(of: "famous", on: relay, timeout: .seconds(20)) {
            $0.first?["state"] as? String == "interrupted"
        }
        #expect(stopped.first?["state"] as? String == "interrupted", "\(stopped)")
        #expect(relay.child.stderr.contains("recording stopped: the file cannot be written; the lesson goes on"))
        #expect(relay.child.stderr.contains("No space left on device"))
        let metrics = try await relay.metricsText()
        #expect(metrics.contains("relay_recording_failures_total 1"), "\(metrics.split(separator: "\n").filter { $0.contains("recording") })")

        // The player saw the whole time, well past the disk filling up, and decodes cleanly.
        _ = await player.wait(timeout: .seconds(30))
        let packets = try await MediaTools.packets(of: watched)
        let seconds = ((packets.map(\.dtsMillis).max() ?? 0) - (packets.map(\.dtsMillis).min() ?? 0)) / 1000
        #expect(seconds >= 14, "the player got \(seconds) s")
        #expect(try await MediaTools.decodeErrors(of: watched).isEmpty)
        // What was written before the disk filled plays.
        let id = stopped.first?["id"] as? String ?? ""
        let recordedErrors = try await MediaTools.decodeErrors(of: recordings + "/\(id).mp4")
        #expect(
            recordedErrors.isEmpty, "\(recordedErrors.prefix(5)) files: \((try? FileManager.default.contentsOfDirectory(atPath: recordings)) ?? [])")
        #expect(relay.child.isRunning)
        #expect(await relay.stop() == 0)
    }
}
