import Foundation
import RelayAPIModels
import Testing

@testable import ControlPlane
@testable import RelayCore

/// The reports' pure parts: sessions from successive registry polls (and when they are written),
/// intervals, an occurrence's outcome, the summaries and the CSV.
@Suite struct ReportsLogicTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func tracker(flush: TimeInterval = 30, poll: TimeInterval = 2) -> SessionTracker {
        let counter = Counter()
        return SessionTracker(settings: .init(nodeId: "n1", pollInterval: poll, flushInterval: flush), makeID: { "s\(counter.next())" })
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }

    static func player(_ site: String, since: Double, transport: String = "rtmp", rendition: String = "480p", stalls: Int = 0)
        -> FactsObservation.Player
    {
        FactsObservation.Player(
            classId: "math", siteId: site, transport: transport, since: at(since), rendition: rendition, bytes: 1000, stalls: stalls)
    }

    static func publisher(since: Double) -> FactsObservation.Publisher {
        FactsObservation.Publisher(classId: "math", siteId: nil, transport: "rtmp", since: at(since))
    }

    // MARK: Sessions

    @Test func pollsBecomeSessionsWithRenditionTimeAndAnEndWrittenAtOnce() throws {
        var tracker = Self.tracker()
        let occurrence: (String, Date) -> Date? = { id, _ in id == "math" ? Self.t0 : nil }
        var written: [SessionFact] = []
        func poll(_ t: Double, publishers: [FactsObservation.Publisher], players: [FactsObservation.Player]) {
            tracker.observe(FactsObservation(at: Self.at(t), publishers: publishers, players: players), occurrence: occurrence)
            written += tracker.due(at: Self.at(t)) ?? []
        }
        var t = 0.0
        while t <= 20 {
            poll(
                t, publishers: [Self.publisher(since: 0)],
                players: [Self.player("a", since: 0.5, rendition: t < 10 ? "720p" : "360p", stalls: t < 10 ? 0 : 2)])
            t += 2
        }
        // The player leaves at 21: the poll at 22 misses it once, the one at 24 ends it.
        poll(22, publishers: [Self.publisher(since: 0)], players: [])
        #expect(written.filter(\.ended).isEmpty, "missed once is not yet an end (a rung switch)")
        poll(24, publishers: [Self.publisher(since: 0)], players: [])
        let ended = try #require(written.last { $0.ended && $0.kind == .player }, "the end is written at once")
        #expect(ended.siteId == "a" && ended.startedAt == Self.at(0.5) && ended.lastSeenAt == Self.at(20))
        // Each poll's interval goes to the rendition that poll saw: 0.5…8 on 720p, 8…20 on 360p.
        #expect(ended.renditionMillis["720p"] == 7500 && ended.renditionMillis["360p"] == 12_000, "\(ended.renditionMillis)")
        #expect(ended.stalls == 2)
        #expect(ended.occurrenceStartsAt == Self.t0 && ended.nodeId == "n1")
        #expect(tracker.openSessions.map(\.kind) == [.publisher])
    }

    /// A burst of plays from one site: players that started in the same millisecond over the
    /// same protocol are sessions each (200 players made 195 sessions when they were one key).
    @Test func playersOfOneSiteStartedTogetherAreSessionsEach() {
        var tracker = Self.tracker()
        let occurrence: (String, Date) -> Date? = { id, _ in id == "math" ? Self.t0 : nil }
        let three = Array(repeating: Self.player("a", since: 1), count: 3)
        tracker.observe(FactsObservation(at: Self.at(2), publishers: [Self.publisher(since: 0)], players: three), occurrence: occurrence)
        tracker.observe(FactsObservation(at: Self.at(4), publishers: [Self.publisher(since: 0)], players: three), occurrence: occurrence)
        #expect(tracker.openSessions.filter { $0.kind == .player }.count == 3)
        // One of them leaves: one session ends, two go on.
        for t in [6.0, 8.0] {
            tracker.observe(
                FactsObservation(at: Self.at(t), publishers: [Self.publisher(since: 0)], players: Array(three.prefix(2))), occurrence: occurrence
            )
        }
        #expect(tracker.openSessions.filter { $0.kind == .player }.count == 2)
    }

    @Test func aPublisherThatReturnsIsANewSessionAndUnknownClassesAreNotKept() {
        var tracker = Self.tracker()
        let occurrence: (String, Date) -> Date? = { id, _ in id == "math" ? Self.t0 : nil }
        tracker.observe(FactsObservation(at: Self.at(10), publishers: [Self.publisher(since: 0)]), occurrence: occurrence)
        tracker.observe(FactsObservation(at: Self.at(12), publishers: []), occurrence: occurrence)
        tracker.observe(FactsObservation(at: Self.at(14), publishers: []), occurrence: occurrence)
        let other = FactsObservation.Publisher(classId: "history", siteId: nil, transport: "srt", since: Self.at(15))
        tracker.observe(FactsObservation(at: Self.at(16), publishers: [Self.publisher(since: 15), other]), occurrence: occurrence)
        let rows = tracker.due(at: Self.at(16)) ?? []
        #expect(rows.filter { $0.kind == .publisher }.map(\.startedAt) == [Self.at(0), Self.at(15)])
        #expect(rows.first { $0.startedAt == Self.at(0) }?.ended == true)
        #expect(!rows.contains { $0.classId == "history" }, "a class with no occurrence near is not kept")
    }

    /// The default bound (reports.flushSeconds 30, a poll every 2 s): at every moment, what the
    /// database holds of each open session is at most 30 s behind what the relay has seen, so a
    /// SIGKILL loses at most 30 s.
    @Test func theDefaultFlushKeepsEveryOpenSessionWithin30Seconds() {
        let defaults = FactsRecorder.Settings(nodeId: "n1")
        #expect(defaults.flushInterval == .seconds(30) && defaults.pollInterval == .seconds(2))
        var tracker = Self.tracker(flush: FactsRecorder.seconds(defaults.flushInterval), poll: FactsRecorder.seconds(defaults.pollInterval))
        var stored: [String: Date] = [:]
        var worst: TimeInterval = 0
        var t = 0.0
        var writes = 0
        while t <= 600 {
            let players = t < 500 ? [Self.player("a", since: 3)] : []
            tracker.observe(
                FactsObservation(at: Self.at(t), publishers: [Self.publisher(since: 0.5)], players: players), occurrence: { _, _ in Self.t0 })
            if let rows = tracker.due(at: Self.at(t)) {
                writes += 1
                for row in rows { stored[row.id] = row.lastSeenAt }
            }
            // Just before the next poll: the relay has seen each open session until now.
            let crash = Self.at(t + 1.999)
            for session in tracker.openSessions {
                let lost = crash.timeIntervalSince(stored[session.id] ?? session.startedAt)
                worst = max(worst, lost)
            }
            t += 2
        }
        #expect(worst <= 30, "a crash would lose \(worst) s")
        #expect(worst > 20, "and the facts are not written at every poll: \(worst) s")
        #expect(writes < 600 / 20, "\(writes) writes in 10 minutes")
        let shorter = Self.tracker(flush: 2)
        #expect(shorter.settings.flushInterval == 2)
    }

    @Test func rowsThatCouldNotBeWrittenAreWrittenNextTime() {
        var tracker = Self.tracker()
        tracker.observe(FactsObservation(at: Self.at(0), players: [Self.player("a", since: 0)]), occurrence: { _, _ in Self.t0 })
        _ = tracker.due(at: Self.at(0))
        tracker.observe(FactsObservation(at: Self.at(2), players: []), occurrence: { _, _ in Self.t0 })
        tracker.observe(FactsObservation(at: Self.at(4), players: []), occurrence: { _, _ in Self.t0 })
        let failed = tracker.due(at: Self.at(4)) ?? []
        #expect(failed.count == 1 && failed[0].ended)
        tracker.retry(failed)
        #expect(tracker.due(at: Self.at(6))?.map(\.id) == failed.map(\.id))
    }

    /// What a poll keeps of the registry: a class's publisher (not a pull), its return feeds (of
    /// its sites), and players with the key of one of its sites, on the source or a rung.
    @Test func anObservationKeepsPublishersReturnFeedsAndTheSitesPlayersOnly() {
        func viewer(_ school: String?, _ transport: AccessRequest.Transport = .rtmp, rendition: String = "source") -> ViewerSnapshot {
            ViewerSnapshot(schoolId: school, transport: transport, rendition: rendition, since: Self.at(5), bytesSent: 10, sendKbps: 1, gopDrops: 1)
        }
        func stream(_ name: String, publisher: PublisherInfo?, _ viewers: [ViewerSnapshot]) -> StreamSnapshot {
            StreamSnapshot(key: StreamKey(app: "live", name: name), publisher: publisher, video: nil, inputKbps: 0, inputBytes: 0, viewers: viewers)
        }
        let snapshots = [
            stream("math", publisher: PublisherInfo(transport: .srt, since: Self.at(1), schoolId: "c1"), [viewer("a"), viewer("c1"), viewer(nil)]),
            stream("math_480p", publisher: PublisherInfo(transport: .rtmp, since: Self.at(2)), [viewer("b", .webrtc, rendition: "480p")]),
            stream("math~a", publisher: PublisherInfo(transport: .webrtc, since: Self.at(3), schoolId: "a"), [viewer("c1")]),
            stream("math~zz", publisher: PublisherInfo(transport: .rtmp, since: Self.at(3)), []),
            stream("pulled", publisher: PublisherInfo(transport: .rtmp, since: Self.at(4), pulledFrom: "node-a"), [viewer("a")]),
            stream("other", publisher: PublisherInfo(transport: .rtmp, since: Self.at(4)), [viewer("a")]),
            StreamSnapshot(
                key: StreamKey(app: "vod", name: "math"), publisher: PublisherInfo(transport: .rtmp), video: nil, inputKbps: 0, inputBytes: 0,
                viewers: []),
        ]
        let classes = ["math": ["a", "b"], "pulled": ["a"]]
        let seen = FactsObservation(at: Self.at(6), snapshots: snapshots, sitesOf: { classes[$0] })
        #expect(
            seen.publishers == [
                .init(classId: "math", siteId: nil, transport: "srt", since: Self.at(1)),
                .init(classId: "math", siteId: "a", transport: "webrtc", since: Self.at(3)),
            ], "a rung's publisher is the transcoder; a pull is the other node's to record")
        #expect(
            seen.players.map { "\($0.classId) \($0.siteId) \($0.transport) \($0.rendition)" } == [
                "math a rtmp source", "math b webrtc 480p", "pulled a rtmp source",
            ], "the central school, an administrator and the return feed's player are not attendance")
    }

    // MARK: Intervals and outcomes

    @Test func intervalsUnionClipAndIntersect() {
        let a = Intervals([(Self.at(0), Self.at(10)), (Self.at(5), Self.at(20)), (Self.at(30), Self.at(40))])
        #expect(a.totalSeconds == 30 && a.gaps == [10])
        #expect(a.clipped(from: Self.at(15), to: Self.at(35)).totalSeconds == 10)
        let b = Intervals([(Self.at(8), Self.at(32))])
        #expect(a.intersection(b).totalSeconds == 14)
        #expect(Intervals([(Self.at(0), Self.at(10)), (Self.at(12), Self.at(20))], joiningGapsUnder: 3).gaps.isEmpty)
        #expect(Intervals([(Self.at(5), Self.at(5)), (Self.at(9), Self.at(1))]).isEmpty)
    }

    static let lesson = Occurrence(
        classId: "math", title: "数学, \"第一课\"", program: .dedicated, startsAt: at(0), endsAt: at(600), centralSchoolId: "c1",
        siteIds: ["a", "b", "c"], record: false
    )

    static func fact(
        _ kind: SessionFact.Kind, site: String? = nil, _ from: Double, _ to: Double, transport: String = "rtmp",
        renditions: [String: Int64] = [:], stalls: Int64 = 0
    ) -> SessionFact {
        SessionFact(
            id: UUID().uuidString, nodeId: "n1", kind: kind, classId: "math", occurrenceStartsAt: t0, siteId: site, transport: transport,
            startedAt: at(from), lastSeenAt: at(to), ended: true, stalls: stalls, renditionMillis: renditions
        )
    }

    @Test func anOccurrenceOutcomeCountsLiveTimeInterruptionsAndEachSitesUnionOfPlayers() {
        let sessions = [
            // Late by 30 s, drops at 200 for 40 s, ends at 590; the drop's return within 1 s of a takeover is no gap.
            Self.fact(.publisher, 30, 200), Self.fact(.publisher, 240, 400), Self.fact(.publisher, 401, 590),
            // a: throughout (connected before the lesson too: only live time counts).
            Self.fact(.player, site: "a", -60, 600, renditions: ["720p": 660_000], stalls: 1),
            // b: late, two players at once (RTMP and SRT), counted once.
            Self.fact(.player, site: "b", 300, 500, renditions: ["480p": 200_000]),
            Self.fact(.player, site: "b", 310, 520, transport: "srt", renditions: ["360p": 210_000], stalls: 2),
            Self.fact(.returnFeed, site: "b", 320, 380),
            // A stranger's session (not a site of the class) is ignored.
            Self.fact(.player, site: "z", 0, 600),
        ]
        let o = OccurrenceOutcome(occurrence: Self.lesson, schedule: nil, sessions: sessions, window: 900, recordingId: "rec-1")
        #expect(o.held && o.liveSeconds == 170 + 350 - 1 + 1 && o.startDelaySeconds == 30)
        #expect(o.interruptions == 1 && o.interruptedSeconds == 40)
        #expect(o.startedAt == Self.at(30) && o.endedAt == Self.at(590) && o.recordingId == "rec-1")
        #expect(o.sites.map(\.siteId) == ["a", "b", "c"])
        let a = o.sites[0], b = o.sites[1], c = o.sites[2]
        #expect(a.attended && a.watchedSeconds == o.liveSeconds && a.firstJoinAt == Self.at(-60) && a.stalls == 1)
        #expect(b.attended && b.watchedSeconds == 220, "300..520 once, all live: \(b.watchedSeconds)")
        #expect(b.protocols == ["rtmp", "srt"] && b.renditionSeconds == ["480p": 200, "360p": 210] && b.stalls == 2)
        #expect(b.returnFeedSeconds == 60 && b.onStageSeconds == 0)
        #expect(!c.attended && c.watchedSeconds == 0 && c.firstJoinAt == nil && c.protocols.isEmpty)

        let unpublished = OccurrenceOutcome(
            occurrence: Self.lesson, schedule: nil, sessions: [Self.fact(.publisher, 0, 50)], window: 900, recordingId: nil)
        #expect(!unpublished.held && unpublished.liveSeconds == 50, "under 60 s is not held")
        let early = OccurrenceOutcome(
            occurrence: Self.lesson, schedule: nil, sessions: [Self.fact(.publisher, -1200, 300)], window: 900, recordingId: nil)
        #expect(early.startDelaySeconds == 0 && early.liveSeconds == 1200, "clipped to the window (15 min before): \(early.liveSeconds)")
    }

    @Test func summariesGroupAndDivide() throws {
        let held = OccurrenceOutcome(
            occurrence: Self.lesson, schedule: nil,
            sessions: [Self.fact(.publisher, 20, 600), Self.fact(.player, site: "a", 0, 600)], window: 900, recordingId: nil
        )
        var nextWeek = Self.lesson
        nextWeek.startsAt = Self.at(7 * 86400)
        nextWeek.endsAt = Self.at(7 * 86400 + 600)
        nextWeek.program = .famousSchool
        let missed = OccurrenceOutcome(occurrence: nextWeek, schedule: nil, sessions: [], window: 900, recordingId: nil)
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        let bySchool = ReportSummary([held, missed], by: .school, timeZone: zone).rows
        #expect(bySchool.count == 1)
        let row = bySchool[0]
        #expect(row.key == "c1" && row.scheduled == 2 && row.held == 1 && row.heldRate == 0.5)
        #expect(row.siteSlots == 6 && row.siteAttended == 1 && abs(row.attendanceRate - 1.0 / 6) < 1e-9)
        #expect(abs(row.watchedHours - 580.0 / 3600) < 1e-9 && row.avgStartDelaySeconds == 20)
        let bySite = ReportSummary([held, missed], by: .site, timeZone: zone).rows
        #expect(bySite.map(\.key) == ["a", "b", "c"] && bySite[0].siteAttended == 1 && bySite[0].siteSlots == 2 && bySite[1].siteAttended == 0)
        #expect(ReportSummary([held, missed], by: .program, timeZone: zone).rows.map(\.key) == ["dedicated", "famous-school"])
        // 1_800_000_000 is Friday 2027-01-15 16:00 in Shanghai: its week's Monday is the 11th.
        #expect(ReportSummary([held, missed], by: .week, timeZone: zone).rows.map(\.key) == ["2027-01-11", "2027-01-18"])
        let api = RelayAPI.SummaryRow(row)
        #expect(api.attendanceRate == 0.1667 && api.watchedHours == 0.16)
        #expect(ReportSummary([], by: .week, timeZone: zone).rows.isEmpty)
    }

    @Test func csvHasABOMAHeaderAndRFC4180Quoting() {
        let o = OccurrenceOutcome(occurrence: Self.lesson, schedule: nil, sessions: [Self.fact(.publisher, 0, 600)], window: 900, recordingId: nil)
        let report = RelayAPI.OccurrenceReport(o)
        #expect(report.scheduledStart == Validation.formatTime(Self.lesson.startsAt) && report.scheduledStart == "2027-01-15T08:00:00Z")
        let text = ReportCSV.occurrences([report])
        #expect(text.hasPrefix("\u{FEFF}classId,title,program,"))
        let lines = text.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.count == 5 && lines[4].isEmpty, "header, a row per site, CRLF after each")
        #expect(lines[1].hasPrefix("math,\"数学, \"\"第一课\"\"\",dedicated,c1,,,"), "\(lines[1])")
        #expect(lines[3].contains(",c,false,,0,"))
        #expect(ReportCSV.field("a\nb") == "\"a\nb\"" && ReportCSV.field("plain") == "plain")
        let summary = ReportCSV.summary([RelayAPI.SummaryRow(ReportSummary([o], by: .program, timeZone: TimeZone(identifier: "UTC")!).rows[0])])
        #expect(
            summary.hasPrefix(
                "\u{FEFF}key,scheduled,held,heldRate,siteSlots,siteAttended,attendanceRate,watchedHours,avgStartDelaySeconds,interruptedSeconds\r\n"))
        #expect(summary.contains("\r\ndedicated,1,1,1.0,3,0,0.0,0.0,0.0,0\r\n"), "\(summary)")
    }

    /// A title typed as a formula stays text in Excel and WPS (CSV injection): `=HYPERLINK(…)`
    /// becomes `'=HYPERLINK(…)`; numbers and ordinary text are untouched.
    @Test func csvTextNeverStartsAFormula() {
        for typed in ["=HYPERLINK(\"http://x\",\"点我\")", "+1", "-2+3", "@SUM(A1)", "\tcmd"] {
            #expect(ReportCSV.inert(typed) == "'" + typed)
        }
        #expect(ReportCSV.inert("数学") == "数学" && ReportCSV.inert("") == "")
        var report = RelayAPI.OccurrenceReport(OccurrenceOutcome(occurrence: Self.lesson, schedule: nil, sessions: [], window: 900, recordingId: nil))
        report.title = "=1+1"
        report.teacher = "@王老师"
        let line = ReportCSV.occurrences([report]).dropFirst().components(separatedBy: "\r\n")[1]
        #expect(line.hasPrefix("math,'=1+1,dedicated,c1,'@王老师,"), "\(line)")
    }
}
