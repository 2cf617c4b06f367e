import Foundation
import Testing

@testable import ControlPlane

/// The facts table on both databases: a session written again is updated in place, a node's
/// open sessions are closed at its next start, retention removes by last sighting, and a report
/// reads them back for the timetable's occurrences (an occurrence without facts: not held).
@Suite struct ReportFactsStoreTests {
    @Test(arguments: StoreKind.allCases)
    func sessionsAreUpsertedClosedReadAndExpired(_ kind: StoreKind) async throws {
        try await withStore(kind) { service in
            let store = service.store
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.insertSchool(School(id: "c1", name: "c1", role: .central, bandwidthKbps: nil, region: nil, keyHash: "h1"))
            try await store.insertClass(
                ClassSchedule(
                    id: "math", title: "数学", program: .dedicated, centralSchoolId: "c1", teacher: "王", subject: nil, startsAt: start,
                    endsAt: start.addingTimeInterval(600), siteIds: ["a", "b"],
                    recurrence: Recurrence(weekly: [.fri], until: "2027-01-22")
                ))
            var publisher = SessionFact(
                id: "p1", nodeId: "n1", kind: .publisher, classId: "math", occurrenceStartsAt: start, siteId: nil, transport: "rtmp",
                startedAt: start.addingTimeInterval(10), lastSeenAt: start.addingTimeInterval(40)
            )
            let player = SessionFact(
                id: "v1", nodeId: "n2", kind: .player, classId: "math", occurrenceStartsAt: start, siteId: "a", transport: "srt",
                startedAt: start.addingTimeInterval(20), lastSeenAt: start.addingTimeInterval(300), ended: true, bytes: 123, stalls: 2,
                renditionMillis: ["480p": 200_000, "source": 80_000]
            )
            try await store.writeSessions([publisher, player])
            publisher.lastSeenAt = start.addingTimeInterval(500)
            try await store.writeSessions([publisher])
            let read = try await store.sessions(occurrencesFrom: start, to: start)
            #expect(read.count == 2)
            #expect(read.first { $0.id == "p1" }?.lastSeenAt == start.addingTimeInterval(500), "updated in place")
            #expect(read.first { $0.id == "v1" } == player, "every field round-trips")

            #expect(try await store.endOpenSessions(nodeId: "n1") == 1)
            #expect(try await store.endOpenSessions(nodeId: "n1") == 0)
            #expect(try await store.sessions(occurrencesFrom: start, to: start).allSatisfy(\.ended))

            let outcomes = try await ReportQuery(service: service, window: 900).outcomes(
                from: start.addingTimeInterval(-60), to: start.addingTimeInterval(8 * 86400), schoolId: nil, program: nil
            )
            #expect(outcomes.count == 2, "this week's and next week's occurrence")
            #expect(outcomes[0].held && outcomes[0].liveSeconds == 490 && outcomes[0].teacher == "王")
            #expect(outcomes[0].sites[0].watchedSeconds == 280 - 0 && outcomes[0].sites[0].attended, "\(outcomes[0].sites)")
            #expect(!outcomes[1].held && outcomes[1].liveSeconds == 0 && outcomes[1].sites.allSatisfy { !$0.attended })
            let onlyB = try await ReportQuery(service: service, window: 900).outcomes(
                from: start, to: start.addingTimeInterval(60), schoolId: nil, program: .famousSchool
            )
            #expect(onlyB.isEmpty, "another program")

            #expect(try await store.deleteSessions(lastSeenBefore: start.addingTimeInterval(400)) == 1)
            #expect(try await store.sessions(occurrencesFrom: start, to: start).map(\.id) == ["p1"])
        }
    }
}
