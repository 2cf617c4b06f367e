import Foundation
import RelayAPIModels
import Testing

@testable import ControlPlane

/// Not a timed test: a generator and a stopwatch for docs/benchmarks.md, run by hand with
/// `REPORTS_BENCH=1 swift test --filter ReportsTermBenchmark`. A term of facts (20 weeks × 50
/// classes meeting twice a week × 10 sites each: 2000 occurrences, each published once or
/// twice and watched by one or two players per site) goes into a fresh store, then the reports
/// are asked as the console would: the occurrences (JSON and CSV) and the summaries.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["REPORTS_BENCH"] != nil))
struct ReportsTermBenchmark {
    @Test(arguments: StoreKind.allCases)
    func aTermOfFacts(_ kind: StoreKind) async throws {
        try await withStore(kind) { service in
            let store = service.store
            let termStart = try #require(service.expansion.endOfDay("2026-08-30")).addingTimeInterval(0.001)  // Monday 08-31 00:00
            var rng = SeededRandom(seed: 33)
            for c in 0..<10 {
                try await store.insertSchool(
                    School(id: "c\(c)", name: "中心学校\(c)", role: .central, bandwidthKbps: nil, region: nil, keyHash: "hc\(c)"))
            }
            for s in 0..<100 {
                try await store.insertSchool(School(id: "s\(s)", name: "教学点\(s)", role: .site, bandwidthKbps: 4000, region: nil, keyHash: "hs\(s)"))
            }
            let days: [[Weekday]] = [[.mon, .wed], [.tue, .thu], [.wed, .fri], [.mon, .thu], [.tue, .fri]]
            var schedules: [ClassSchedule] = []
            for k in 0..<50 {
                let start = termStart.addingTimeInterval(Double(8 + k % 8) * 3600)
                let schedule = ClassSchedule(
                    id: "class-\(k)", title: "课程 \(k)", program: [.dedicated, .masterTeacher, .famousSchool][k % 3], centralSchoolId: "c\(k % 10)",
                    teacher: "老师\(k)", subject: "数学", startsAt: start, endsAt: start.addingTimeInterval(2700),
                    siteIds: (0..<10).map { "s\((k * 10 + $0) % 100)" }, recurrence: Recurrence(weekly: days[k % 5], until: "2027-01-17")
                )
                try await store.insertClass(schedule)
                schedules.append(schedule)
            }
            let termEnd = termStart.addingTimeInterval(20 * 7 * 86400)
            var facts: [SessionFact] = []
            var occurrences = 0
            for schedule in schedules {
                for occurrence in service.expansion.occurrences(of: schedule, from: termStart, to: termEnd) {
                    occurrences += 1
                    guard rng.next() % 10 != 0 else { continue }  // one in ten not held
                    func fact(_ kind: SessionFact.Kind, _ site: String?, _ from: Double, _ to: Double, transport: String = "rtmp") -> SessionFact {
                        SessionFact(
                            id: "f\(facts.count)", nodeId: "n1", kind: kind, classId: schedule.id, occurrenceStartsAt: occurrence.startsAt,
                            siteId: site, transport: transport, startedAt: occurrence.startsAt.addingTimeInterval(from),
                            lastSeenAt: occurrence.startsAt.addingTimeInterval(to), ended: true, bytes: 50_000_000, stalls: Int64(rng.next() % 3),
                            renditionMillis: ["480p": Int64((to - from) * 700), "360p": Int64((to - from) * 300)]
                        )
                    }
                    let delay = Double(rng.next() % 180)
                    if rng.next() % 5 == 0 {
                        facts.append(fact(.publisher, nil, delay, 1200))
                        facts.append(fact(.publisher, nil, 1230, 2700))
                    } else {
                        facts.append(fact(.publisher, nil, delay, 2700))
                    }
                    for site in schedule.siteIds where rng.next() % 8 != 0 {
                        let join = Double(rng.next() % 600)
                        facts.append(fact(.player, site, join, 2700 - Double(rng.next() % 300)))
                        if rng.next() % 4 == 0 { facts.append(fact(.player, site, join + 60, 2000, transport: "srt")) }
                    }
                }
            }
            let writing = ContinuousClock.now
            for batch in stride(from: 0, to: facts.count, by: 2000) {
                try await store.writeSessions(Array(facts[batch..<min(batch + 2000, facts.count)]))
            }
            let written = ContinuousClock.now - writing
            let query = ReportQuery(service: service, window: 900)
            func timed<T>(_ body: () async throws -> T) async throws -> (T, Duration) {
                let began = ContinuousClock.now
                let value = try await body()
                return (value, ContinuousClock.now - began)
            }
            var lines = ["\(kind): \(occurrences) occurrences, \(facts.count) sessions (written in \(written))"]
            for _ in 0..<3 {
                let (_, readTime) = try await timed { try await store.sessions(occurrencesFrom: termStart, to: termEnd) }
                let (outcomes, outcomeTime) = try await timed { try await query.outcomes(from: termStart, to: termEnd, schoolId: nil, program: nil) }
                let (json, jsonTime) = try await timed { try JSONEncoder().encode(outcomes.map(RelayAPI.OccurrenceReport.init)) }
                let (csv, csvTime) = try await timed { ReportCSV.occurrences(outcomes.map(RelayAPI.OccurrenceReport.init)) }
                let (_, summaryTime) = try await timed {
                    let again = try await query.outcomes(from: termStart, to: termEnd, schoolId: nil, program: nil)
                    return ReportSummary(again, by: .week, timeZone: service.expansion.timeZone).rows
                }
                let (_, schoolTime) = try await timed {
                    try await query.outcomes(from: termStart, to: termEnd, schoolId: "s7", program: nil)
                }
                #expect(outcomes.count == occurrences)
                lines.append(
                    "facts read \(readTime); occurrences \(outcomeTime) + JSON \(jsonTime) (\(json.count / 1024) KiB) / CSV \(csvTime) (\(csv.utf8.count / 1024) KiB); "
                        + "summary by week \(summaryTime); one site's \(schoolTime)"
                )
            }
            print(lines.joined(separator: "\n"))
        }
    }
}

/// A small deterministic generator (SplitMix64): the same term every run.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
