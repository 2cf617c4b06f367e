public import Foundation

/// Expands classes into occurrences in a time zone (weekly days are local days there).
public struct OccurrenceExpansion: Sendable {
    public let timeZone: TimeZone
    /// No class expands past this many occurrences (a two-year weekly class is ~730).
    public static let maxOccurrences = 2_000

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    var calendar: Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        return c
    }

    /// The last instant of `until` (a `YYYY-MM-DD` date) in this zone, or nil if malformed.
    public func endOfDay(_ until: String) -> Date? {
        let parts = until.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var components = DateComponents(year: y, month: m, day: d)
        components.timeZone = timeZone
        guard let start = calendar.date(from: components),
            calendar.component(.day, from: start) == d
        else { return nil }
        return calendar.date(byAdding: .day, value: 1, to: start)!.addingTimeInterval(-0.001)
    }

    /// Occurrences of `schedule` that overlap [from, to), in time order.
    public func occurrences(of schedule: ClassSchedule, from: Date = .distantPast, to: Date = .distantFuture) -> [Occurrence] {
        let duration = schedule.endsAt.timeIntervalSince(schedule.startsAt)
        func make(_ start: Date) -> Occurrence {
            Occurrence(
                classId: schedule.id, title: schedule.title, program: schedule.program, startsAt: start,
                endsAt: start.addingTimeInterval(duration), centralSchoolId: schedule.centralSchoolId, siteIds: schedule.siteIds,
                record: schedule.record
            )
        }
        var result: [Occurrence] = []
        func consider(_ start: Date) {
            let end = start.addingTimeInterval(duration)
            if end > from && start < to { result.append(make(start)) }
        }
        consider(schedule.startsAt)
        guard let recurrence = schedule.recurrence, let until = endOfDay(recurrence.until) else { return result }
        let days = Set(recurrence.weekly.map(\.calendarWeekday))
        var day = 1
        while result.count < Self.maxOccurrences {
            guard let start = calendar.date(byAdding: .day, value: day, to: schedule.startsAt) else { break }
            if start > until || start >= to { break }
            if days.contains(calendar.component(.weekday, from: start)) { consider(start) }
            day += 1
        }
        return result
    }

    /// The first pair of overlapping occurrences of `a` and `b`, if any.
    public func firstOverlap(_ a: ClassSchedule, _ b: ClassSchedule) -> (Occurrence, Occurrence)? {
        let aEnd = lastEnd(a)
        let bEnd = lastEnd(b)
        let from = max(a.startsAt, b.startsAt)
        let to = min(aEnd, bEnd)
        guard from < to else { return nil }
        let aOcc = occurrences(of: a, from: from, to: to)
        let bOcc = occurrences(of: b, from: from, to: to)
        var j = 0
        for x in aOcc {
            while j < bOcc.count && bOcc[j].endsAt <= x.startsAt { j += 1 }
            if j < bOcc.count && bOcc[j].startsAt < x.endsAt { return (x, bOcc[j]) }
        }
        return nil
    }

    /// When the last occurrence of `schedule` ends.
    public func lastEnd(_ schedule: ClassSchedule) -> Date {
        guard let recurrence = schedule.recurrence, let until = endOfDay(recurrence.until) else { return schedule.endsAt }
        return until.addingTimeInterval(schedule.endsAt.timeIntervalSince(schedule.startsAt))
    }
}
