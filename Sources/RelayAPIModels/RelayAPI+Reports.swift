/// The bureau's reports (`GET /api/v1/reports/…`): whether each occurrence was held and who
/// attended, and the same summed per school, site, program or week.
extension RelayAPI {
    /// One occurrence of the timetable with what happened in it.
    public struct OccurrenceReport: Codable, Equatable, Sendable {
        public var classId: String
        public var title: String
        public var program: String
        public var centralSchoolId: String
        public var teacher: String?
        public var subject: String?
        public var scheduledStart: String
        public var scheduledEnd: String
        /// The publisher was live for at least 60 s inside the occurrence's window.
        public var held: Bool
        public var startedAt: String?
        public var endedAt: String?
        /// From the scheduled start to the publisher's first start (0 when it started early).
        public var startDelaySeconds: Int?
        public var liveSeconds: Int
        /// Gaps between the publisher's sessions (a drop and a return).
        public var interruptions: Int
        public var interruptedSeconds: Int
        public var recordingId: String?
        public var sites: [SiteAttendance]

        public init(
            classId: String, title: String, program: String, centralSchoolId: String, teacher: String?, subject: String?,
            scheduledStart: String, scheduledEnd: String, held: Bool, startedAt: String?, endedAt: String?,
            startDelaySeconds: Int?, liveSeconds: Int, interruptions: Int, interruptedSeconds: Int, recordingId: String?,
            sites: [SiteAttendance]
        ) {
            self.classId = classId
            self.title = title
            self.program = program
            self.centralSchoolId = centralSchoolId
            self.teacher = teacher
            self.subject = subject
            self.scheduledStart = scheduledStart
            self.scheduledEnd = scheduledEnd
            self.held = held
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.startDelaySeconds = startDelaySeconds
            self.liveSeconds = liveSeconds
            self.interruptions = interruptions
            self.interruptedSeconds = interruptedSeconds
            self.recordingId = recordingId
            self.sites = sites
        }
    }

    /// One site of an occurrence.
    public struct SiteAttendance: Codable, Equatable, Sendable {
        public var siteId: String
        /// Watched at least 60 s.
        public var attended: Bool
        public var firstJoinAt: String?
        /// The union of the site's player sessions while the lesson was live (players at once counted once).
        public var watchedSeconds: Int
        public var protocols: [String]
        public var renditionSeconds: [String: Int]
        public var stalls: Int
        public var returnFeedSeconds: Int
        public var onStageSeconds: Int

        public init(
            siteId: String, attended: Bool, firstJoinAt: String?, watchedSeconds: Int, protocols: [String],
            renditionSeconds: [String: Int], stalls: Int, returnFeedSeconds: Int, onStageSeconds: Int
        ) {
            self.siteId = siteId
            self.attended = attended
            self.firstJoinAt = firstJoinAt
            self.watchedSeconds = watchedSeconds
            self.protocols = protocols
            self.renditionSeconds = renditionSeconds
            self.stalls = stalls
            self.returnFeedSeconds = returnFeedSeconds
            self.onStageSeconds = onStageSeconds
        }
    }

    /// One group of occurrences (a school, a site, a program or a week).
    public struct SummaryRow: Codable, Equatable, Sendable {
        public var key: String
        public var scheduled: Int
        public var held: Int
        public var heldRate: Double
        /// Site × occurrence pairs.
        public var siteSlots: Int
        public var siteAttended: Int
        public var attendanceRate: Double
        public var watchedHours: Double
        public var avgStartDelaySeconds: Double?
        public var interruptedSeconds: Int

        public init(
            key: String, scheduled: Int, held: Int, heldRate: Double, siteSlots: Int, siteAttended: Int, attendanceRate: Double,
            watchedHours: Double, avgStartDelaySeconds: Double?, interruptedSeconds: Int
        ) {
            self.key = key
            self.scheduled = scheduled
            self.held = held
            self.heldRate = heldRate
            self.siteSlots = siteSlots
            self.siteAttended = siteAttended
            self.attendanceRate = attendanceRate
            self.watchedHours = watchedHours
            self.avgStartDelaySeconds = avgStartDelaySeconds
            self.interruptedSeconds = interruptedSeconds
        }
    }
}
