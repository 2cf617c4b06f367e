public import Foundation

/// One recorded occurrence of a class (名校网络课堂 replay): its source stream as fragmented MP4
/// under the data dir's `recordings/`, and what the catalogue says of it.
public struct Recording: Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Being written now.
        case recording
        /// Its publisher has been gone for the grace period, or its occurrence ended.
        case complete
        /// Stopped early: the relay was killed, the disk filled, or the file could not be written.
        /// The file plays up to its last complete fragment.
        case interrupted
    }

    public var id: String
    public var classId: String
    public var title: String
    public var program: Program
    public var centralSchoolId: String
    /// The class's sites when it was recorded: a site replays its own lessons.
    public var siteIds: [String]
    /// The occurrence this recording belongs to (one recording per occurrence).
    public var occurrenceStartsAt: Date
    /// When the recording started and ended (nil while recording).
    public var startsAt: Date
    public var endsAt: Date?
    public var durationMillis: Int64
    public var bytes: Int64
    public var state: State
    /// The file's name under the recordings directory.
    public var file: String

    public init(
        id: String, classId: String, title: String, program: Program, centralSchoolId: String, siteIds: [String],
        occurrenceStartsAt: Date, startsAt: Date, endsAt: Date? = nil, durationMillis: Int64 = 0, bytes: Int64 = 0,
        state: State = .recording, file: String
    ) {
        self.id = id
        self.classId = classId
        self.title = title
        self.program = program
        self.centralSchoolId = centralSchoolId
        self.siteIds = siteIds
        self.occurrenceStartsAt = occurrenceStartsAt
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.durationMillis = durationMillis
        self.bytes = bytes
        self.state = state
        self.file = file
    }
}
