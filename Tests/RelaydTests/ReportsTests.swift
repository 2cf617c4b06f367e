import Foundation
import ProcessTestSupport
import Testing

/// The bureau's reports against the real relayd, with real players: what the report says of a
/// short occurrence (held, start delay, live and interrupted time, each site's attendance and
/// watched time) against what the test measured from outside; the CSV read back by Python's csv
/// module; classctl's tables; and a SIGKILL that loses no more than the last flush.
@Suite(.serialized)
struct ReportsTests {
    static let config = """
        auth:
          mode: timetable
        publisher:
          graceSeconds: 20
        transcode:
          enabled: false
        reports:
          flushSeconds: 2
        log:
          level: info
        """
    static var classctl: String { (RelaydServer.binaryPath as NSString).deletingLastPathComponent + "/classctl" }

    /// A central school `c1` and three sites of one class `lesson` that began `startedAgo` seconds ago.
    static func timetable(on relay: RelaydServer, startedAgo: Double, lasting: Double) async throws -> (keys: [String: String], start: Date) {
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, role) in [("c1", "central"), ("s-full", "site"), ("s-late", "site"), ("s-absent", "site")] {
            var body: [String: Any] = ["id": id, "name": id, "role": role]
            if role == "site" { body["bandwidthKbps"] = 4000 }
            let reply = try await api.call("POST", "/schools", body)
            try #require(reply.status == 201)
            keys[id] = reply.object["key"] as? String
        }
        for site in ["s-full", "s-late", "s-absent"] {
            try #require(try await api.call("POST", "/pairings", ["centralSchoolId": "c1", "siteId": site, "program": "dedicated"]).status == 201)
        }
        // Whole seconds: the report's times are.
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - startedAgo).rounded(.down))
        let lesson: [String: Any] = [
            "id": "lesson", "title": "数学, \"第一课\"", "program": "dedicated", "centralSchoolId": "c1", "teacher": "王老师", "subject": "数学",
            "startsAt": rfc3339(start), "endsAt": rfc3339(start.addingTimeInterval(lasting)), "siteIds": ["s-full", "s-late", "s-absent"],
        ]
        try #require(try await api.call("POST", "/classes", lesson).status == 201)
        return (keys, start)
    }

    /// An RTMP or SRT player decoding nothing (`-c copy` to null) until stopped.
    static func player(_ url: String) throws -> ChildProcess {
        try ChildProcess("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", url, "-c", "copy", "-f", "null", "-"])
    }

    /// Waits until the class's live view shows a publisher (true) or none (false).
    static func waitForPublisher(_ live: Bool, on relay: RelaydServer) async throws {
        try await waitUntil("the live view to show the publisher \(live ? "live" : "gone")", timeout: .seconds(15)) {
            (try await relay.api.call("GET", "/classes/lesson/live").object["state"] as? String == "live") == live
        }
    }

    static func occurrences(on relay: RelaydServer, around start: Date) async throws -> [[String: Any]] {
        let from = rfc3339(start.addingTimeInterval(-3600)), to = rfc3339(start.addingTimeInterval(3600))
        let reply = try await relay.api.call("GET", "/reports/occurrences?from=\(from)&to=\(to)".replacingOccurrences(of: "+", with: "%2B"))
        try #require(reply.status == 200, "\(reply.json ?? "")")
        return reply.array
    }

    static func site(_ id: String, of occurrence: [String: Any]) -> [String: Any] {
        (occurrence["sites"] as? [[String: Any]] ?? []).first { $0["siteId"] as? String == id } ?? [:]
    }

    /// Within 2 % or 5 s of the truth, whichever is larger.
    static func close(_ reported: Any?, _ truth: Double) -> Bool {
        guard let value = (reported as? NSNumber)?.doubleValue else { return false }
        return abs(value - truth) <= max(5, truth * 0.02)
    }

    /// The three cases wait on lesson time (a report's `held` and `attended` need 60 s), not on the
    /// CPU (no transcoding, players copy), and share nothing: each has its own relayd, data dir and
    /// ports, the two-node case its own PostgreSQL. So they run at once, in the longest one's time.
    @Test func aShortOccurrenceASIGKILLMidSessionAndTwoNodesOnOnePostgreSQL() async throws {
        async let occurrence: Void = Self.aShortOccurrenceWithAFullALateAndAnAbsentSiteAndAPublisherThatDropsAndReturns()
        async let killed: Void = Self.aSIGKILLMidSessionLosesAtMostTheLastFlush()
        async let twoNodes: Void = Self.twoNodesOnOnePostgreSQLMakeOneReport()
        _ = try await (occurrence, killed, twoNodes)
    }

    static func aShortOccurrenceWithAFullALateAndAnAbsentSiteAndAPublisherThatDropsAndReturns() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let (keys, scheduled) = try await Self.timetable(on: relay, startedAgo: 20, lasting: 180)
        let publishURL = relay.url("lesson?key=\(keys["c1"]!)")

        // The publisher, 20 s late, for 15 s; a site watching from its start.
        let firstStart = Date()
        let first = try MediaTools.publish(to: publishURL, seconds: 15)
        defer { first.signal(SIGKILL) }
        try await Self.waitForPublisher(true, on: relay)
        let fullStart = Date()
        let full = try Self.player(relay.url("lesson?key=\(keys["s-full"]!)"))
        defer { full.signal(SIGKILL) }
        _ = await first.wait(timeout: .seconds(40))
        let firstEnd = Date()
        try await Self.waitForPublisher(false, on: relay)
        // It drops for about 6 s (within the grace period: the players stay) and returns for 75 s.
        try await Task.sleep(for: .seconds(6))  // not a condition: the drop's length is what the report must measure
        let secondStart = Date()
        let second = try MediaTools.publish(to: publishURL, seconds: 75)
        defer { second.signal(SIGKILL) }
        try await Self.waitForPublisher(true, on: relay)
        // The late site joins with an RTMP and an SRT player at once.
        let lateStart = Date()
        let lateRTMP = try Self.player(relay.url("lesson?key=\(keys["s-late"]!)"))
        let lateSRT = try Self.player(relay.srtURL("lesson", mode: "request", key: keys["s-late"]!))
        defer {
            lateRTMP.signal(SIGKILL)
            lateSRT.signal(SIGKILL)
        }
        _ = await second.wait(timeout: .seconds(120))
        let secondEnd = Date()
        for player in [full, lateRTMP, lateSRT] {
            #expect(player.process.isRunning, "a player stayed through the lesson: \(player.stderr)")
            player.signal(SIGKILL)
        }

        let live = firstEnd.timeIntervalSince(firstStart) + secondEnd.timeIntervalSince(secondStart)
        let fullWatched = firstEnd.timeIntervalSince(fullStart) + secondEnd.timeIntervalSince(secondStart)
        let lateWatched = secondEnd.timeIntervalSince(lateStart)
        // Each player's end is written within a few seconds of it.
        let report = try await waitUntil(timeout: .seconds(20), every: .milliseconds(500)) {
            try await Self.occurrences(on: relay, around: scheduled).first ?? [:]
        } until: {
            Self.close($0["liveSeconds"], live) && Self.close(Self.site("s-late", of: $0)["watchedSeconds"], lateWatched)
        }
        let reported = "\(report)"
        print(
            String(
                format: "reports: measured live %.1f s, delay %.1f s, drop %.1f s, s-full %.1f s, s-late %.1f s; reported %@ %@ %@ %@ %@",
                live, firstStart.timeIntervalSince(scheduled), secondStart.timeIntervalSince(firstEnd), fullWatched, lateWatched,
                "\(report["liveSeconds"] ?? "-")", "\(report["startDelaySeconds"] ?? "-")", "\(report["interruptedSeconds"] ?? "-")",
                "\(Self.site("s-full", of: report)["watchedSeconds"] ?? "-")", "\(Self.site("s-late", of: report)["watchedSeconds"] ?? "-")"
            ))
        #expect(report["classId"] as? String == "lesson" && report["teacher"] as? String == "王老师", "\(reported)")
        #expect(report["scheduledStart"] as? String == rfc3339(scheduled), "\(reported)")
        #expect(report["held"] as? Bool == true, "\(reported)")
        #expect(
            Self.close(report["startDelaySeconds"], firstStart.timeIntervalSince(scheduled)),
            "start delay ~\(firstStart.timeIntervalSince(scheduled)): \(reported)")
        #expect(Self.close(report["liveSeconds"], live), "live ~\(live): \(reported)")
        #expect(report["interruptions"] as? Int == 1, "\(reported)")
        #expect(
            Self.close(report["interruptedSeconds"], secondStart.timeIntervalSince(firstEnd)),
            "the drop ~\(secondStart.timeIntervalSince(firstEnd)) s: \(reported)")
        #expect(report["recordingId"] == nil, "a dedicated class is not recorded")

        let fullSite = Self.site("s-full", of: report), late = Self.site("s-late", of: report), absent = Self.site("s-absent", of: report)
        #expect(fullSite["attended"] as? Bool == true && fullSite["protocols"] as? [String] == ["rtmp"], "\(fullSite)")
        #expect(Self.close(fullSite["watchedSeconds"], fullWatched), "s-full watched ~\(fullWatched): \(fullSite)")
        #expect(late["attended"] as? Bool == true && late["protocols"] as? [String] == ["rtmp", "srt"], "\(late)")
        #expect(Self.close(late["watchedSeconds"], lateWatched), "two players at once count once, ~\(lateWatched): \(late)")
        let lateRenditions = (late["renditionSeconds"] as? [String: Int] ?? [:]).values.reduce(0, +)
        #expect(Double(lateRenditions) > lateWatched * 1.6, "each player's own time on its rendition: \(late)")
        #expect(absent["attended"] as? Bool == false && absent["watchedSeconds"] as? Int == 0 && absent["firstJoinAt"] == nil, "\(absent)")
        #expect((absent["protocols"] as? [String])?.isEmpty == true)

        // CSV: Python's csv module reads what Excel and WPS would.
        let dir = try makeTemporaryDirectory("reports")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Dates are days in the timetable's zone (Asia/Shanghai); `to` includes its day.
        let from = Self.day(scheduled.addingTimeInterval(-86400)), to = Self.day(scheduled)
        let csvReply = try await Curl.call(
            "\(relay.apiBase)/reports/occurrences?from=\(from)&to=\(to)", token: relay.adminToken,
            extra: ["-H", "Accept: text/csv", "-o", dir + "/occurrences.csv"]
        )
        #expect(csvReply.status == 200 && csvReply.header("Content-Type") == "text/csv; charset=utf-8", "\(csvReply.headers)")
        let rows = try await Self.readCSV(dir + "/occurrences.csv")
        #expect(rows.bom, "UTF-8 with a byte-order mark")
        #expect(
            rows.header.first == "classId" && rows.header.contains("watchedSeconds") && rows.header.contains("startDelaySeconds"), "\(rows.header)")
        #expect(rows.records.count == 3, "one row per occurrence and site: \(rows.records)")
        for record in rows.records {
            #expect(record["title"] == "数学, \"第一课\"", "quoted and read back: \(record)")
            #expect(record["liveSeconds"] == "\(report["liveSeconds"] as? Int ?? -1)" && record["held"] == "true")
            let site = Self.site(record["siteId"] ?? "", of: report)
            #expect(
                record["watchedSeconds"] == "\(site["watchedSeconds"] as? Int ?? -1)" && record["attended"] == "\(site["attended"] as? Bool ?? false)"
            )
        }
        #expect(rows.records.first { $0["siteId"] == "s-late" }?["protocols"] == "rtmp srt")
        _ = try await Curl.call(
            "\(relay.apiBase)/reports/summary?from=\(from)&to=\(to)&groupBy=site&format=csv", token: relay.adminToken,
            extra: ["-o", dir + "/summary.csv"]
        )
        let summary = try await Self.readCSV(dir + "/summary.csv")
        #expect(summary.bom && summary.records.map { $0["key"] ?? "" } == ["s-absent", "s-full", "s-late"], "\(summary.records)")
        #expect(summary.records.map { $0["attendanceRate"] ?? "" } == ["0.0", "1.0", "1.0"], "\(summary.records)")

        // The summary as JSON and classctl's tables.
        let bySchool = try await relay.api.call("GET", "/reports/summary?from=\(from)&to=\(to)&groupBy=school").array
        #expect(bySchool.count == 1 && bySchool.first?["key"] as? String == "c1" && bySchool.first?["heldRate"] as? Double == 1, "\(bySchool)")
        #expect(bySchool.first?["siteSlots"] as? Int == 3 && bySchool.first?["siteAttended"] as? Int == 2, "\(bySchool)")
        let global = ["--server", relay.server, "--token-file", relay.tokenFile]
        let (tableCode, table, tableErr) = try await runTool(Self.classctl, ["reports", "occurrences", "--from", from, "--to", to] + global)
        #expect(tableCode == 0 && table.contains("lesson") && table.contains("yes") && table.contains("2/3"), "\(table) \(tableErr)")
        let (csvCode, csvOut, _) = try await runTool(
            Self.classctl, ["reports", "summary", "--from", from, "--to", to, "--group-by", "week", "--csv"] + global)
        #expect(csvCode == 0 && csvOut.hasPrefix("\u{FEFF}key,scheduled,held,heldRate"), "\(csvOut)")
        let (badCode, _, badErr) = try await runTool(
            Self.classctl, ["reports", "summary", "--from", from, "--to", to, "--group-by", "month"] + global)
        #expect(badCode == 2 && badErr.contains("group-by"), "\(badErr)")
        #expect(try await relay.api.call("GET", "/reports/summary?from=\(from)&to=\(to)&groupBy=month").status == 400)
        #expect(try await relay.api.call("GET", "/reports/occurrences?from=\(to)&to=\(from)").status == 400)
        #expect(await relay.stop() == 0)
    }

    static func aSIGKILLMidSessionLosesAtMostTheLastFlush() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let (keys, scheduled) = try await Self.timetable(on: relay, startedAgo: 0, lasting: 600)
        let publishStart = Date()
        let publisher = try MediaTools.publish(to: relay.url("lesson?key=\(keys["c1"]!)"), seconds: 120)
        defer { publisher.signal(SIGKILL) }
        try await Self.waitForPublisher(true, on: relay)
        let playStart = Date()
        let player = try Self.player(relay.url("lesson?key=\(keys["s-full"]!)"))
        defer { player.signal(SIGKILL) }
        try await Task.sleep(for: .seconds(25))  // not a condition: the session's length before the crash, measured
        relay.child.signal(SIGKILL)
        let killed = Date()
        _ = await relay.child.wait(timeout: .seconds(10))
        publisher.signal(SIGKILL)
        player.signal(SIGKILL)

        // The same data dir, a new process: what was written before the kill is there.
        let restarted = try await RelaydServer(config: Self.config, reuseDataDir: relay.dataDir)
        let report = try #require(try await Self.occurrences(on: restarted, around: scheduled).first)
        let live = killed.timeIntervalSince(publishStart), watched = killed.timeIntervalSince(playStart)
        let flushAndPoll = 2.0 + 2.0
        print(
            "reports after SIGKILL: measured live \(live) s, watched \(watched) s; reported \(report["liveSeconds"] ?? "-"), \(Self.site("s-full", of: report)["watchedSeconds"] ?? "-")"
        )
        let liveSeconds = (report["liveSeconds"] as? NSNumber)?.doubleValue ?? 0
        #expect(liveSeconds >= live - flushAndPoll - 5 && liveSeconds <= live + 5, "live ~\(live), all but the last flush: \(report)")
        let site = Self.site("s-full", of: report)
        let watchedSeconds = (site["watchedSeconds"] as? NSNumber)?.doubleValue ?? 0
        #expect(watchedSeconds >= watched - flushAndPoll - 5 && watchedSeconds <= watched + 5, "watched ~\(watched): \(site)")
        #expect(report["held"] as? Bool == false && site["attended"] as? Bool == false, "25 s is neither held nor attended (60 s): \(report)")
        #expect(
            restarted.child.stdout.contains("ended where last written") || restarted.child.stderr.contains("ended where last written"),
            "the restarted node closes what the killed one left open")
        #expect(await restarted.stop() == 0)
        withExtendedLifetime(relay) {}
    }

    /// Two nodes on one PostgreSQL, the publisher on one, a site's players on both: each node
    /// writes what it served, and either node's report counts the site's players once.
    static func twoNodesOnOnePostgreSQLMakeOneReport() async throws {
        let (started, why) = PostgresServer.start()
        let postgres = try #require(started, "PostgreSQL is needed here: \(why)")
        defer { postgres.stop() }
        let shared = ["RELAYD_ADMIN_TOKEN": "cluster-\(UUID().uuidString)"]
        func config(_ id: String) -> String {
            Self.config + "\ndatabase: \(postgres.url)\ncluster:\n  nodeId: \(id)\n  advertiseHost: 127.0.0.1\n"
        }
        let a = try await RelaydServer(config: config("node-a"), environment: shared)
        let b = try await RelaydServer(config: config("node-b"), environment: shared)
        let (keys, scheduled) = try await Self.timetable(on: a, startedAgo: 0, lasting: 600)

        let publishStart = Date()
        let publisher = try MediaTools.publish(to: a.url("lesson?key=\(keys["c1"]!)"), seconds: 75)
        defer { publisher.signal(SIGKILL) }
        try await Self.waitForPublisher(true, on: a)
        let fullOnAStart = Date()
        let fullOnA = try Self.player(a.url("lesson?key=\(keys["s-full"]!)"))
        defer { fullOnA.signal(SIGKILL) }
        try await Task.sleep(for: .seconds(5))  // not a condition: s-full watches 5 s on a alone (measured)
        // On node b (which pulls the lesson from a): the late site, and s-full's second player for 20 s.
        let lateOnBStart = Date()
        let lateOnB = try Self.player(b.url("lesson?key=\(keys["s-late"]!)"))
        let fullOnB = try Self.player(b.url("lesson?key=\(keys["s-full"]!)"))
        defer {
            lateOnB.signal(SIGKILL)
            fullOnB.signal(SIGKILL)
        }
        try await Task.sleep(for: .seconds(20))  // not a condition: the 20 s of s-full's second player (measured)
        #expect(fullOnB.process.isRunning, "b's player played: \(fullOnB.stderr)")
        fullOnB.signal(SIGKILL)
        _ = await publisher.wait(timeout: .seconds(100))
        let publishEnd = Date()
        for player in [fullOnA, lateOnB] {
            #expect(player.process.isRunning, "\(player.stderr)")
            player.signal(SIGKILL)
        }
        let live = publishEnd.timeIntervalSince(publishStart)
        let fullWatched = publishEnd.timeIntervalSince(fullOnAStart), lateWatched = publishEnd.timeIntervalSince(lateOnBStart)
        // Until every player's end is written (each node writes its own within a few seconds).
        let (onA, onB) = try await waitUntil(timeout: .seconds(20), every: .milliseconds(500)) {
            let onB = try await Self.occurrences(on: b, around: scheduled).first ?? [:]
            return (try await Self.occurrences(on: a, around: scheduled).first ?? [:], onB)
        } until: { onA, onB in
            try Self.close(onB["liveSeconds"], live) && Self.close(Self.site("s-late", of: onB)["watchedSeconds"], lateWatched)
                && Self.sameJSON(onA, onB)
        }
        print("reports on two nodes: measured live \(live), s-full \(fullWatched), s-late \(lateWatched); reported \(onB)")
        #expect(onB["held"] as? Bool == true && Self.close(onB["liveSeconds"], live), "the publisher on a, in b's report: \(onB)")
        let full = Self.site("s-full", of: onB), late = Self.site("s-late", of: onB)
        #expect(Self.close(full["watchedSeconds"], fullWatched), "s-full's players on a and b counted once, ~\(fullWatched): \(full)")
        #expect(late["attended"] as? Bool == true && Self.close(late["watchedSeconds"], lateWatched), "s-late, served by b, ~\(lateWatched): \(late)")
        #expect(try Self.sameJSON(onA, onB), "one report on either node: \(onA)")
        #expect(await b.stop() == 0)
        #expect(await a.stop() == 0)
    }

    static func sameJSON(_ a: [String: Any], _ b: [String: Any]) throws -> Bool {
        try JSONSerialization.data(withJSONObject: a, options: [.sortedKeys]) == JSONSerialization.data(withJSONObject: b, options: [.sortedKeys])
    }

    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// Python's csv module on a file: whether it began with a BOM, the header, the rows.
    static func readCSV(_ path: String) async throws -> (bom: Bool, header: [String], records: [[String: String]]) {
        let script = """
            import csv, io, json, sys
            raw = open(sys.argv[1], 'rb').read()
            bom = raw.startswith(b'\\xef\\xbb\\xbf')
            rows = list(csv.reader(io.StringIO(raw.decode('utf-8-sig'), newline='')))
            print(json.dumps({"bom": bom, "header": rows[0], "records": [dict(zip(rows[0], r)) for r in rows[1:]]}))
            """
        let (code, out, err) = try await runTool("/usr/bin/python3", ["-c", script, path])
        guard code == 0, let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] else {
            throw TestFailure("python3 csv: \(err) \(out)")
        }
        return (object["bom"] as? Bool ?? false, object["header"] as? [String] ?? [], object["records"] as? [[String: String]] ?? [])
    }
}
