import Foundation
import Media
import ProcessTestSupport
import Testing

@testable import classctl

/// Snapshot tests: fixed inputs, exact expected text.
@Suite struct RenderingTests {
    static let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    static func occurrence(_ id: String, _ title: String, _ program: String, _ start: String, _ end: String) -> Occurrence {
        Occurrence(
            classId: id, title: title, program: program, startsAt: start, endsAt: end, centralSchoolId: "central-1",
            siteIds: ["site-1"])
    }

    /// Week of Monday 2026-09-07 in Asia/Shanghai (UTC+8).
    static let timetable = [
        occurrence("math", "Math", "dedicated", "2026-09-07T00:00:00Z", "2026-09-07T00:45:00Z"),  // Mon 08:00
        occurrence("club", "English Reading Club for Grade 5", "famous-school", "2026-09-07T02:00:00Z", "2026-09-07T02:45:00Z"),
        occurrence("math", "Math", "dedicated", "2026-09-10T00:00:00Z", "2026-09-10T00:45:00Z"),  // Thu 08:00
        occurrence("music", "Music 音乐", "master-teacher", "2026-09-10T00:00:00Z", "2026-09-10T00:45:00Z"),
        occurrence("sci", "Science", "master-teacher", "2026-09-13T11:00:00Z", "2026-09-13T11:40:00Z"),  // Sun 19:00
        occurrence("late", "Next week", "dedicated", "2026-09-14T00:00:00Z", "2026-09-14T00:45:00Z"),  // outside
    ]

    @Test func weekGrid() throws {
        let day = try #require(WeekGrid.parseDay("2026-09-10", zone: Self.shanghai))
        let grid = WeekGrid(containing: day, zone: Self.shanghai)
        #expect(WeekGrid.rfc3339(grid.interval.from) == "2026-09-06T16:00:00Z")
        #expect(WeekGrid.rfc3339(grid.interval.to) == "2026-09-13T16:00:00Z")
        let expected = """
            Week of 2026-09-07 (Asia/Shanghai)
            +-------------+-----------------------+-----------+-----------+------------------+-----------+-----------+------------------+
            | Time        | Mon 09-07             | Tue 09-08 | Wed 09-09 | Thu 09-10        | Fri 09-11 | Sat 09-12 | Sun 09-13        |
            +-------------+-----------------------+-----------+-----------+------------------+-----------+-----------+------------------+
            | 08:00-08:45 | Math                  |           |           | Math             |           |           |                  |
            |             | (dedicated)           |           |           | (dedicated)      |           |           |                  |
            |             |                       |           |           | Music 音乐       |           |           |                  |
            |             |                       |           |           | (master-teacher) |           |           |                  |
            +-------------+-----------------------+-----------+-----------+------------------+-----------+-----------+------------------+
            | 10:00-10:45 | English Reading Club… |           |           |                  |           |           |                  |
            |             | (famous-school)       |           |           |                  |           |           |                  |
            +-------------+-----------------------+-----------+-----------+------------------+-----------+-----------+------------------+
            | 19:00-19:40 |                       |           |           |                  |           |           | Science          |
            |             |                       |           |           |                  |           |           | (master-teacher) |
            +-------------+-----------------------+-----------+-----------+------------------+-----------+-----------+------------------+

            """
        #expect(grid.render(Self.timetable) == expected)
    }

    @Test func emptyWeekGrid() throws {
        let day = try #require(WeekGrid.parseDay("2026-09-13", zone: Self.shanghai))  // a Sunday
        let grid = WeekGrid(containing: day, zone: Self.shanghai)
        let expected = """
            Week of 2026-09-07 (Asia/Shanghai)
            +------+-----------+-----------+-----------+-----------+-----------+-----------+-----------+
            | Time | Mon 09-07 | Tue 09-08 | Wed 09-09 | Thu 09-10 | Fri 09-11 | Sat 09-12 | Sun 09-13 |
            +------+-----------+-----------+-----------+-----------+-----------+-----------+-----------+
            (no classes this week)

            """
        #expect(grid.render([]) == expected)
    }

    @Test func schoolsTable() {
        let schools = [
            School(id: "central-1", name: "北京第一中学", role: "central", region: "Beijing"),
            School(id: "site-1", name: "Village School", role: "site", bandwidthKbps: 4000),
        ]
        let expected = """
            ID         NAME            ROLE     BANDWIDTH    REGION
            ---------  --------------  -------  -----------  -------
            central-1  北京第一中学    central  -            Beijing
            site-1     Village School  site     4000 kbit/s  -

            """
        #expect(Render.schools(schools) == expected)
    }

    @Test func schoolWithKeyShowsNotice() {
        let school = School(id: "c1", name: "Central", role: "central", key: "abc123")
        let expected = """
            id:         c1
            name:       Central
            role:       central
            bandwidth:  -
            region:     -
            key:        abc123
            (the key is shown only now; store it safely. `classctl schools rotate-key c1` replaces it.)

            """
        #expect(Render.school(school) + Render.keyNotice(school) == expected)
    }

    @Test func classesTable() {
        let classes = [
            ClassInfo(
                id: "math-1", title: "Math", program: "dedicated", centralSchoolId: "central-1", teacher: "Li",
                startsAt: "2026-09-07T00:00:00Z", endsAt: "2026-09-07T00:45:00Z", siteIds: ["site-1", "site-2"],
                recurrence: Recurrence(weekly: ["mon", "thu"], until: "2027-01-15"))
        ]
        let expected = """
            ID      TITLE  PROGRAM    CENTRAL    STARTS                ENDS                  SITES          REPEATS
            ------  -----  ---------  ---------  --------------------  --------------------  -------------  ------------------------
            math-1  Math   dedicated  central-1  2026-09-07T00:00:00Z  2026-09-07T00:45:00Z  site-1,site-2  mon,thu until 2027-01-15

            """
        #expect(Render.classes(classes) == expected)
    }

    @Test func liveView() {
        let view = LiveView(
            classId: "math-1", state: "live",
            publisher: .init(
                protocol: "rtmp", since: "2026-09-07T00:00:05Z", inputKbps: 2400,
                video: .init(codec: "h264", width: 1280, height: 720, fps: 25)),
            renditions: [
                .init(name: "720p", width: 1280, height: 720, videoKbps: 1800),
                .init(name: "360p", width: 640, height: 360, videoKbps: 450),
            ],
            viewers: [
                .init(siteId: "site-1", protocol: "rtmp", rendition: "360p", sendKbps: 510, since: "2026-09-07T00:01:00Z"),
                .init(siteId: nil, protocol: "srt", rendition: "720p", sendKbps: 1900, since: "2026-09-07T00:02:00Z"),
            ],
            returnFeeds: [
                .init(
                    siteId: "site-1", protocol: "srt", since: "2026-09-07T00:00:30Z", inputKbps: 1200,
                    video: .init(codec: "h264", width: 640, height: 360, fps: 25))
            ]
        )
        let expected = """
            class:      math-1
            state:      live
            publisher:  rtmp
            since:      2026-09-07T00:00:05Z
            input:      2400 kbit/s
            video:      h264 1280x720 25 fps

            Renditions
            NAME  SIZE      VIDEO
            ----  --------  -----------
            720p  1280x720  1800 kbit/s
            360p  640x360   450 kbit/s

            Viewers (2)
            SITE    PROTOCOL  RENDITION  KBIT/S  SINCE
            ------  --------  ---------  ------  --------------------
            site-1  rtmp      360p       510     2026-09-07T00:01:00Z
            -       srt       720p       1900    2026-09-07T00:02:00Z

            Return feeds (1)
            SITE    PROTOCOL  INPUT        VIDEO         SINCE
            ------  --------  -----------  ------------  --------------------
            site-1  srt       1200 kbit/s  h264 640x360  2026-09-07T00:00:30Z

            """
        #expect(Render.live(view) == expected)
    }

    @Test func progressLine() {
        let line = ProgressDisplay.line(PushProgress(elapsedSeconds: 3725.4, framesSent: 10, fps: 25, kbps: 1834.6, dropped: 3, reconnects: 1))
        #expect(line == "01:02:05   25.0 fps    1835 kbit/s  dropped 3  reconnects 1")
    }

    @Test func globalOptionsMoveAfterTheCommand() {
        #expect(
            ArgumentLifting.lift(["--server", "http://h:1", "--json", "schools", "list"])
                == ["schools", "list", "--server", "http://h:1", "--json"])
        #expect(ArgumentLifting.lift(["timetable", "--week"]) == ["timetable", "--week", "today"])
        #expect(ArgumentLifting.lift(["timetable", "--week", "--json"]) == ["timetable", "--week", "today", "--json"])
        #expect(ArgumentLifting.lift(["timetable", "--week", "2026-09-07"]) == ["timetable", "--week", "2026-09-07"])
    }
}

@Suite struct RedactionTests {
    @Test func keysNeverPrinted() {
        let error = CLIError.unreachable("Connection to srt://h:1?streamid=%23%21%3A%3Ar%3Dlive%2Fc%2Cs%3Dk%2By failed; rtmp://h/live/c?key=k+y")
        #expect(
            error.redacting("k+y").message == "Connection to srt://h:1?streamid=%23%21%3A%3Ar%3Dlive%2Fc%2Cs%3D*** failed; rtmp://h/live/c?key=***")
        #expect(error.redacting("k+y").exitCode == 1)
    }
}
