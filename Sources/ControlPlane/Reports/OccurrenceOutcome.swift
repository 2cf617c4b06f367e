public import Foundation

/// What happened in one occurrence, from its sessions: whether it was held and how each site
/// took part. Pure: the occurrences, the sessions and the window in, numbers out.
public struct OccurrenceOutcome: Sendable, Equatable {
    public struct Site: Sendable, Equatable {
        public var siteId: String
        public var attended: Bool
        public var firstJoinAt: Date?
        public var watchedSeconds: TimeInterval
        public var protocols: [String]
        public var renditionSeconds: [String: TimeInterval]
        public var stalls: Int64
        public var returnFeedSeconds: TimeInterval
        public var onStageSeconds: TimeInterval
    }

    public var occurrence: Occurrence
    public var teacher: String?
    public var subject: String?
    public var held: Bool
    public var startedAt: Date?
    public var endedAt: Date?
    public var startDelaySeconds: TimeInterval?
    public var liveSeconds: TimeInterval
    public var interruptions: Int
    public var interruptedSeconds: TimeInterval
    public var recordingId: String?
    public var sites: [Site]

    /// The contract's thresholds: held when live 60 s inside the window, attended when watched 60 s.
    public static let heldSeconds: TimeInterval = 60
    public static let attendedSeconds: TimeInterval = 60
    /// Publisher sessions closer than this are one (an end is seen at the poll before it, a
    /// takeover between two polls leaves no real gap).
    public static let joinGapSeconds: TimeInterval = 3

    /// `sessions` are this occurrence's (its class, its start); `window` widens the scheduled
    /// time on both sides (`auth.windowMinutes`: when publishing and playing are allowed).
    public init(
        occurrence: Occurrence, schedule: ClassSchedule?, sessions: [SessionFact], window: TimeInterval, recordingId: String?
    ) {
        self.occurrence = occurrence
        teacher = schedule?.teacher
        subject = schedule?.subject
        self.recordingId = recordingId
        let from = occurrence.startsAt.addingTimeInterval(-window)
        let to = occurrence.endsAt.addingTimeInterval(window)
        func spans(_ facts: [SessionFact], gap: TimeInterval = 0) -> Intervals {
            Intervals(facts.map { ($0.startedAt, $0.lastSeenAt) }, joiningGapsUnder: gap).clipped(from: from, to: to)
        }
        let live = spans(sessions.filter { $0.kind == .publisher }, gap: Self.joinGapSeconds)
        liveSeconds = live.totalSeconds
        held = liveSeconds >= Self.heldSeconds
        startedAt = live.start
        endedAt = live.end
        startDelaySeconds = live.start.map { max(0, $0.timeIntervalSince(occurrence.startsAt)) }
        interruptions = live.gaps.count
        interruptedSeconds = live.gaps.reduce(0, +)
        sites = occurrence.siteIds.map { site in
            let players = sessions.filter { $0.kind == .player && $0.siteId == site }
            let watched = spans(players).intersection(live).totalSeconds
            var renditions: [String: TimeInterval] = [:]
            for player in players {
                for (name, millis) in player.renditionMillis { renditions[name, default: 0] += Double(millis) / 1000 }
            }
            return Site(
                siteId: site, attended: watched >= Self.attendedSeconds, firstJoinAt: players.map(\.startedAt).min(),
                watchedSeconds: watched, protocols: Set(players.map(\.transport)).sorted(), renditionSeconds: renditions,
                stalls: players.reduce(0) { $0 + $1.stalls },
                returnFeedSeconds: spans(sessions.filter { $0.kind == .returnFeed && $0.siteId == site }, gap: Self.joinGapSeconds).totalSeconds,
                onStageSeconds: 0
            )
        }
    }

    /// The outcomes of `occurrences`, each with its own sessions (by class and occurrence start)
    /// and its recording (same key).
    public static func all(
        _ occurrences: [Occurrence], schedules: [String: ClassSchedule], sessions: [SessionFact], window: TimeInterval,
        recordings: [OccurrenceKey: String]
    ) -> [OccurrenceOutcome] {
        let byOccurrence = Dictionary(grouping: sessions) { OccurrenceKey(classId: $0.classId, startsAt: $0.occurrenceStartsAt) }
        return occurrences.map { occurrence in
            let key = OccurrenceKey(classId: occurrence.classId, startsAt: occurrence.startsAt)
            return OccurrenceOutcome(
                occurrence: occurrence, schedule: schedules[occurrence.classId], sessions: byOccurrence[key] ?? [], window: window,
                recordingId: recordings[key]
            )
        }
    }
}

/// A class's occurrence: its id and start (to the millisecond, as stored).
public struct OccurrenceKey: Hashable, Sendable {
    public var classId: String
    public var startsAtMillis: Int64

    public init(classId: String, startsAt: Date) {
        self.classId = classId
        startsAtMillis = Int64((startsAt.timeIntervalSince1970 * 1000).rounded())
    }
}
