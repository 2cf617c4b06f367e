import Foundation
import RelayCore

struct SchoolWithKey: Encodable {
    var id: String
    var name: String
    var role: SchoolRole
    var bandwidthKbps: Int?
    var region: String?
    /// Returned on create and rotate only.
    var key: String

    init(_ s: School, key: String) {
        id = s.id
        name = s.name
        role = s.role
        bandwidthKbps = s.bandwidthKbps
        region = s.region
        self.key = key
    }
}

struct ClassOutput: Encodable {
    var id: String
    var title: String
    var program: Program
    var centralSchoolId: String
    var teacher: String?
    var subject: String?
    var startsAt: String
    var endsAt: String
    var siteIds: [String]
    var recurrence: Recurrence?
    var record: Bool

    init(_ c: ClassSchedule) {
        id = c.id
        title = c.title
        program = c.program
        centralSchoolId = c.centralSchoolId
        teacher = c.teacher
        subject = c.subject
        startsAt = Validation.formatTime(c.startsAt)
        endsAt = Validation.formatTime(c.endsAt)
        siteIds = c.siteIds
        recurrence = c.recurrence
        record = c.record
    }
}

struct OccurrenceOutput: Encodable {
    var classId: String
    var title: String
    var program: Program
    var startsAt: String
    var endsAt: String
    var centralSchoolId: String
    var siteIds: [String]
    var record: Bool

    init(_ o: Occurrence) {
        classId = o.classId
        title = o.title
        program = o.program
        startsAt = Validation.formatTime(o.startsAt)
        endsAt = Validation.formatTime(o.endsAt)
        centralSchoolId = o.centralSchoolId
        siteIds = o.siteIds
        record = o.record
    }
}

struct LiveOutput: Encodable {
    struct Video: Encodable {
        var codec: String
        var width: Int
        var height: Int
        var fps: Double
    }
    struct Publisher: Encodable {
        var `protocol`: String
        var since: String
        var inputKbps: Int
        var video: Video?
    }
    struct Rendition: Encodable {
        var name: String
        var width: Int
        var height: Int
        var videoKbps: Int
    }
    struct Viewer: Encodable {
        var siteId: String?
        var `protocol`: String
        var rendition: String
        var sendKbps: Int
        var since: String
        /// SRT viewers: what SRT measures on the link.
        var rttMs: Double?
        var lossPercent: Double?
        var sendMbps: Double?
        var sendBufferMs: Int?
    }
    /// A site's return feed being published (`live/<classId>~<siteId>`).
    struct ReturnFeed: Encodable {
        var siteId: String
        var `protocol`: String
        var since: String
        var inputKbps: Int
        var video: Video?
        /// Its players (the central school), each with its protocol and rendition.
        var viewers: [Viewer]
    }
    var classId: String
    var state: String
    var publisher: Publisher?
    var renditions: [Rendition]
    var viewers: [Viewer]
    var returnFeeds: [ReturnFeed]
}


struct NodeOutput: Encodable {
    var id: String
    var advertiseHost: String
    var alive: Bool
    var lastSeen: String
    var streams: [String]

    init(_ node: RelayNode, now: Date) {
        id = node.id
        advertiseHost = node.advertiseHost
        alive = node.isAlive(now: now, window: NodeHeartbeat.aliveWindow)
        lastSeen = Validation.formatTime(node.lastSeen)
        streams = node.streams
    }
}
