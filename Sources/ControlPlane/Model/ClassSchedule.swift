public import Foundation

/// Days of the week as the API spells them.
public enum Weekday: String, Codable, Sendable, CaseIterable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    /// Foundation's weekday number (1 = Sunday).
    var calendarWeekday: Int {
        switch self {
        case .sun: return 1
        case .mon: return 2
        case .tue: return 3
        case .wed: return 4
        case .thu: return 5
        case .fri: return 6
        case .sat: return 7
        }
    }

    public static func < (a: Weekday, b: Weekday) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// `{"weekly":["mon","thu"],"until":"2027-01-15"}`: the class repeats on those days, at the same
/// local time, through `until` (inclusive, in the display zone).
public struct Recurrence: Codable, Sendable, Equatable {
    public var weekly: [Weekday]
    /// `YYYY-MM-DD`.
    public var until: String

    public init(weekly: [Weekday], until: String) {
        self.weekly = weekly
        self.until = until
    }
}

/// A class (a lesson on the timetable), one-off or weekly.
public struct ClassSchedule: Codable, Sendable, Equatable {
    public var id: String
    public var title: String
    public var program: Program
    public var centralSchoolId: String
    public var teacher: String?
    public var subject: String?
    public var startsAt: Date
    public var endsAt: Date
    public var siteIds: [String]
    public var recurrence: Recurrence?
    /// Each published occurrence is recorded (default: famous-school lessons only).
    public var record: Bool

    /// `record` nil: the program's default (``Program/recordsByDefault``).
    public init(
        id: String, title: String, program: Program, centralSchoolId: String, teacher: String?, subject: String?,
        startsAt: Date, endsAt: Date, siteIds: [String], recurrence: Recurrence?, record: Bool? = nil
    ) {
        self.id = id
        self.title = title
        self.program = program
        self.centralSchoolId = centralSchoolId
        self.teacher = teacher
        self.subject = subject
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.siteIds = siteIds
        self.recurrence = recurrence
        self.record = record ?? program.recordsByDefault
    }
}

/// One expanded occurrence of a class.
public struct Occurrence: Codable, Sendable, Equatable {
    public var classId: String
    public var title: String
    public var program: Program
    public var startsAt: Date
    public var endsAt: Date
    public var centralSchoolId: String
    public var siteIds: [String]
    public var record: Bool
}
