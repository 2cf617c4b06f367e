public import Foundation

/// Occurrence outcomes summed per school (the central school), site, program or week (its
/// Monday, `YYYY-MM-DD`, in the timetable's zone). Pure.
public struct ReportSummary: Sendable, Equatable {
    public enum Grouping: String, Sendable, CaseIterable {
        case school, site, program, week
    }

    public struct Row: Sendable, Equatable {
        public var key: String
        public var scheduled = 0
        public var held = 0
        public var siteSlots = 0
        public var siteAttended = 0
        public var watchedSeconds: TimeInterval = 0
        public var startDelays: [TimeInterval] = []
        public var interruptedSeconds: TimeInterval = 0

        public init(key: String) { self.key = key }

        /// Fractions from 0 to 1 (0 when there is nothing to divide).
        public var heldRate: Double { scheduled == 0 ? 0 : Double(held) / Double(scheduled) }
        public var attendanceRate: Double { siteSlots == 0 ? 0 : Double(siteAttended) / Double(siteSlots) }
        public var watchedHours: Double { watchedSeconds / 3600 }
        /// Over the held occurrences; nil when none was.
        public var avgStartDelaySeconds: Double? { startDelays.isEmpty ? nil : startDelays.reduce(0, +) / Double(startDelays.count) }
    }

    public var rows: [Row]

    public init(_ outcomes: [OccurrenceOutcome], by grouping: Grouping, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        var groups: [String: Row] = [:]
        func add(_ key: String, _ outcome: OccurrenceOutcome, sites: [OccurrenceOutcome.Site]) {
            var row = groups[key] ?? Row(key: key)
            row.scheduled += 1
            if outcome.held {
                row.held += 1
                if let delay = outcome.startDelaySeconds { row.startDelays.append(delay) }
            }
            row.siteSlots += sites.count
            row.siteAttended += sites.filter(\.attended).count
            row.watchedSeconds += sites.reduce(0) { $0 + $1.watchedSeconds }
            row.interruptedSeconds += outcome.interruptedSeconds
            groups[key] = row
        }
        for outcome in outcomes {
            switch grouping {
            case .school: add(outcome.occurrence.centralSchoolId, outcome, sites: outcome.sites)
            case .program: add(outcome.occurrence.program.rawValue, outcome, sites: outcome.sites)
            case .site: for site in outcome.sites { add(site.siteId, outcome, sites: [site]) }
            case .week: add(Self.weekKey(outcome.occurrence.startsAt, calendar: calendar), outcome, sites: outcome.sites)
            }
        }
        rows = groups.values.sorted { $0.key < $1.key }
    }

    /// The Monday of `date`'s week, `YYYY-MM-DD`.
    static func weekKey(_ date: Date, calendar: Calendar) -> String {
        let monday = calendar.dateInterval(of: .weekOfYear, for: date)?.start ?? date
        let c = calendar.dateComponents([.year, .month, .day], from: monday)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
