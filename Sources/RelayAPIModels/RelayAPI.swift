/// The REST API's JSON bodies (`Sources/HTTPSurface/openapi.yaml`), one definition shared by the
/// relay, which writes them, and classctl, which reads them. Plain values: no behaviour, no
/// dependency. Optional fields are omitted when absent, and tolerated when an older relay omits them.
public enum RelayAPI {}

extension RelayAPI {
    public struct School: Codable, Equatable, Sendable {
        public var id: String
        public var name: String
        /// `central` or `site`.
        public var role: String
        public var bandwidthKbps: Int?
        public var region: String?
        /// Returned on create and rotate only.
        public var key: String?

        public init(id: String, name: String, role: String, bandwidthKbps: Int? = nil, region: String? = nil, key: String? = nil) {
            self.id = id
            self.name = name
            self.role = role
            self.bandwidthKbps = bandwidthKbps
            self.region = region
            self.key = key
        }
    }

    public struct Pairing: Codable, Equatable, Sendable {
        public var id: String
        public var centralSchoolId: String
        public var siteId: String
        public var program: String

        public init(id: String, centralSchoolId: String, siteId: String, program: String) {
            self.id = id
            self.centralSchoolId = centralSchoolId
            self.siteId = siteId
            self.program = program
        }
    }

    public struct Recurrence: Codable, Equatable, Sendable {
        /// `mon` … `sun`.
        public var weekly: [String]
        /// `YYYY-MM-DD`.
        public var until: String

        public init(weekly: [String], until: String) {
            self.weekly = weekly
            self.until = until
        }
    }

    public struct Class: Codable, Equatable, Sendable {
        public var id: String
        public var title: String
        public var program: String
        public var centralSchoolId: String
        public var teacher: String?
        public var subject: String?
        public var startsAt: String
        public var endsAt: String
        public var siteIds: [String]
        public var recurrence: Recurrence?
        public var record: Bool?

        public init(
            id: String, title: String, program: String, centralSchoolId: String, teacher: String? = nil, subject: String? = nil,
            startsAt: String, endsAt: String, siteIds: [String], recurrence: Recurrence? = nil, record: Bool? = nil
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
            self.record = record
        }
    }

    /// One occurrence of a class in a timetable.
    public struct Occurrence: Codable, Equatable, Sendable {
        public var classId: String
        public var title: String
        public var program: String
        public var startsAt: String
        public var endsAt: String
        public var centralSchoolId: String
        public var siteIds: [String]
        public var record: Bool?

        public init(
            classId: String, title: String, program: String, startsAt: String, endsAt: String, centralSchoolId: String,
            siteIds: [String], record: Bool? = nil
        ) {
            self.classId = classId
            self.title = title
            self.program = program
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.centralSchoolId = centralSchoolId
            self.siteIds = siteIds
            self.record = record
        }
    }

    public struct Recording: Codable, Equatable, Sendable {
        public var id: String
        public var classId: String
        public var title: String
        public var program: String
        public var centralSchoolId: String
        public var startsAt: String
        public var endsAt: String?
        public var durationSeconds: Double
        public var bytes: Int64
        /// `recording`, `complete` or `interrupted`.
        public var state: String

        public init(
            id: String, classId: String, title: String, program: String, centralSchoolId: String, startsAt: String,
            endsAt: String?, durationSeconds: Double, bytes: Int64, state: String
        ) {
            self.id = id
            self.classId = classId
            self.title = title
            self.program = program
            self.centralSchoolId = centralSchoolId
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.durationSeconds = durationSeconds
            self.bytes = bytes
            self.state = state
        }
    }

    /// A relay node sharing the database (`GET /api/v1/nodes`).
    public struct Node: Codable, Equatable, Sendable {
        public var id: String
        public var advertiseHost: String
        public var alive: Bool
        public var lastSeen: String
        public var streams: [String]

        public init(id: String, advertiseHost: String, alive: Bool, lastSeen: String, streams: [String]) {
            self.id = id
            self.advertiseHost = advertiseHost
            self.alive = alive
            self.lastSeen = lastSeen
            self.streams = streams
        }
    }
}
