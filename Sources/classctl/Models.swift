/// API shapes classctl reads (see docs/openapi.yaml); optional fields may be omitted.
struct School: Codable, Equatable, Sendable {
    var id: String
    var name: String
    var role: String
    var bandwidthKbps: Int?
    var region: String?
    var key: String?
}

struct Pairing: Codable, Equatable, Sendable {
    var id: String
    var centralSchoolId: String
    var siteId: String
    var program: String
}

struct Recurrence: Codable, Equatable, Sendable {
    var weekly: [String]
    var until: String
}

struct ClassInfo: Codable, Equatable, Sendable {
    var id: String
    var title: String
    var program: String
    var centralSchoolId: String
    var teacher: String?
    var subject: String?
    var startsAt: String
    var endsAt: String
    var siteIds: [String]
    var recurrence: Recurrence?
    var record: Bool?
}

struct Occurrence: Codable, Equatable, Sendable {
    var classId: String
    var title: String
    var program: String
    var startsAt: String
    var endsAt: String
    var centralSchoolId: String
    var siteIds: [String]
    var record: Bool? = nil
}

struct RecordingInfo: Codable, Equatable, Sendable {
    var id: String
    var classId: String
    var title: String
    var program: String
    var centralSchoolId: String
    var startsAt: String
    var endsAt: String?
    var durationSeconds: Double
    var bytes: Int64
    var state: String
}

struct LiveView: Codable, Equatable, Sendable {
    struct Video: Codable, Equatable, Sendable {
        var codec: String
        var width: Int
        var height: Int
        var fps: Double
    }
    struct Publisher: Codable, Equatable, Sendable {
        var `protocol`: String
        var since: String
        var inputKbps: Int
        var video: Video?
    }
    struct Rendition: Codable, Equatable, Sendable {
        var name: String
        var width: Int
        var height: Int
        var videoKbps: Int
    }
    struct Viewer: Codable, Equatable, Sendable {
        var siteId: String?
        var `protocol`: String
        var rendition: String
        var sendKbps: Int
        var since: String
    }
    /// A site's return feed (`live/<classId>~<siteId>`) being published.
    struct ReturnFeed: Codable, Equatable, Sendable {
        var siteId: String
        var `protocol`: String
        var since: String
        var inputKbps: Int
        var video: Video?
    }
    var classId: String
    var state: String
    var publisher: Publisher?
    var renditions: [Rendition]
    var viewers: [Viewer]
    /// Absent from relays older than return feeds.
    var returnFeeds: [ReturnFeed]?
}
