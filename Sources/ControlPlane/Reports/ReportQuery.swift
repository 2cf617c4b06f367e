public import Foundation
import RelayAPIModels

/// The reports' answers: the timetable's occurrences in a range (so one nobody published is
/// there, not held) with the facts the nodes recorded for each.
public struct ReportQuery: Sendable {
    public let service: ControlPlaneService
    /// `auth.windowMinutes` in seconds: the time around an occurrence its sessions count in.
    public let window: TimeInterval

    public init(service: ControlPlaneService, window: TimeInterval) {
        self.service = service
        self.window = window
    }

    /// Outcomes of the occurrences that start in [from, to), in time order, of one school (central
    /// or site) and one program when given.
    public func outcomes(from: Date, to: Date, schoolId: String?, program: Program?) async throws(ControlPlaneError) -> [OccurrenceOutcome] {
        if let schoolId { _ = try await service.school(schoolId) }
        let classes = try await service.classes()
        var occurrences: [Occurrence] = []
        let chosen = classes.filter {
            (schoolId == nil || $0.centralSchoolId == schoolId || $0.siteIds.contains(schoolId!)) && (program == nil || $0.program == program)
        }
        for c in chosen {
            occurrences += service.expansion.occurrences(of: c, from: from, to: to).filter { $0.startsAt >= from }
        }
        // Filtered: only those classes' facts are read.
        let classIds = chosen.count == classes.count ? nil : chosen.map(\.id)
        occurrences.sort { ($0.startsAt, $0.classId) < ($1.startsAt, $1.classId) }
        guard let first = occurrences.first?.startsAt, let last = occurrences.map(\.startsAt).max(),
            let lastEnd = occurrences.map(\.endsAt).max()
        else { return [] }
        let store = service.store
        let window = self.window
        let (sessions, recordings) = try await service.db { () throws(StoreError) in
            (
                try await store.sessions(occurrencesFrom: first, to: last, classIds: classIds),
                try await store.recordings(from: first.addingTimeInterval(-window), to: lastEnd.addingTimeInterval(window))
            )
        }
        let schedules = Dictionary(classes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var recordingIDs: [OccurrenceKey: String] = [:]
        for recording in recordings {
            recordingIDs[OccurrenceKey(classId: recording.classId, startsAt: recording.occurrenceStartsAt)] = recording.id
        }
        return OccurrenceOutcome.all(occurrences, schedules: schedules, sessions: sessions, window: window, recordings: recordingIDs)
    }
}

/// RFC 3339 in UTC, as `Validation.formatTime` writes it, without a formatter per call (a
/// term's report formats tens of thousands of times).
private let rfc3339 = Date.ISO8601FormatStyle()

extension RelayAPI.OccurrenceReport {
    package init(_ o: OccurrenceOutcome) {
        func seconds(_ t: TimeInterval) -> Int { Int(t.rounded()) }
        func time(_ date: Date) -> String { rfc3339.format(date) }
        self.init(
            classId: o.occurrence.classId, title: o.occurrence.title, program: o.occurrence.program.rawValue,
            centralSchoolId: o.occurrence.centralSchoolId, teacher: o.teacher, subject: o.subject,
            scheduledStart: time(o.occurrence.startsAt), scheduledEnd: time(o.occurrence.endsAt),
            held: o.held, startedAt: o.startedAt.map(time), endedAt: o.endedAt.map(time),
            startDelaySeconds: o.startDelaySeconds.map(seconds), liveSeconds: seconds(o.liveSeconds), interruptions: o.interruptions,
            interruptedSeconds: seconds(o.interruptedSeconds), recordingId: o.recordingId,
            sites: o.sites.map { site in
                RelayAPI.SiteAttendance(
                    siteId: site.siteId, attended: site.attended, firstJoinAt: site.firstJoinAt.map(time),
                    watchedSeconds: seconds(site.watchedSeconds), protocols: site.protocols,
                    renditionSeconds: site.renditionSeconds.mapValues(seconds), stalls: Int(site.stalls),
                    returnFeedSeconds: seconds(site.returnFeedSeconds), onStageSeconds: seconds(site.onStageSeconds)
                )
            }
        )
    }
}

extension RelayAPI.SummaryRow {
    package init(_ row: ReportSummary.Row) {
        func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
        self.init(
            key: row.key, scheduled: row.scheduled, held: row.held, heldRate: rounded(row.heldRate, 10_000), siteSlots: row.siteSlots,
            siteAttended: row.siteAttended, attendanceRate: rounded(row.attendanceRate, 10_000), watchedHours: rounded(row.watchedHours, 100),
            avgStartDelaySeconds: row.avgStartDelaySeconds.map { rounded($0, 10) }, interruptedSeconds: Int(row.interruptedSeconds.rounded())
        )
    }
}
