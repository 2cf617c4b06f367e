public import Foundation

/// Turns successive ``FactsObservation``s into sessions, and says what to write when: every
/// session at least every `flushInterval` (so a crash loses at most that much), an ended one at
/// its end. Pure: no clock (times come with the observations), no database.
public struct SessionTracker: Sendable {
    public struct Settings: Sendable {
        public var nodeId: String
        /// How often the registry is polled (the caller's loop).
        public var pollInterval: TimeInterval
        /// No open session's written facts are older than this (`reports.flushSeconds`).
        public var flushInterval: TimeInterval

        public init(nodeId: String, pollInterval: TimeInterval = 2, flushInterval: TimeInterval = 30) {
            self.nodeId = nodeId
            self.pollInterval = pollInterval
            self.flushInterval = flushInterval
        }
    }

    /// A session's identity across polls: its stream (class, site) and kind, how it arrived,
    /// and when it began (the registry keeps a publisher's and a player's `since` for its life).
    struct Key: Hashable, Sendable {
        var kind: SessionFact.Kind
        var classId: String
        var siteId: String?
        var transport: String
        var sinceMillis: Int64
        /// Players alike in all of the above (a site's players started in the same millisecond)
        /// are told apart by their order in the poll: each is a session of its own.
        var ordinal = 0
    }

    private struct Open: Sendable {
        var fact: SessionFact
        /// Polls in a row that did not see it (ended at the second: a player moving between a
        /// class's rung streams may be missed once).
        var missed = 0
    }

    public let settings: Settings
    private var open: [Key: Open] = [:]
    private var endedUnwritten: [SessionFact] = []
    private var lastFlush: Date?
    private var makeID: @Sendable () -> String

    public init(settings: Settings, makeID: @escaping @Sendable () -> String) {
        self.settings = settings
        self.makeID = makeID
    }

    /// Sessions open now.
    public var openSessions: [SessionFact] { open.values.map(\.fact).sorted { $0.startedAt < $1.startedAt } }

    /// Takes one poll's view. `occurrence(classId, at)` gives the start of the occurrence a new
    /// session belongs to (nil: none near, the session is not kept).
    public mutating func observe(_ observation: FactsObservation, occurrence: (String, Date) -> Date?) {
        let now = observation.at
        var seen = Set<Key>()
        for publisher in observation.publishers {
            let key = Key(
                kind: publisher.siteId == nil ? .publisher : .returnFeed, classId: publisher.classId, siteId: publisher.siteId,
                transport: publisher.transport, sinceMillis: Self.millis(publisher.since)
            )
            guard seen.insert(key).inserted else { continue }
            if open[key] != nil {
                open[key]!.fact.lastSeenAt = max(open[key]!.fact.lastSeenAt, now)
                open[key]!.missed = 0
            } else if let start = occurrence(publisher.classId, publisher.since) {
                open[key] = Open(
                    fact: SessionFact(
                        id: makeID(), nodeId: settings.nodeId, kind: key.kind, classId: publisher.classId, occurrenceStartsAt: start,
                        siteId: publisher.siteId, transport: publisher.transport, startedAt: publisher.since, lastSeenAt: max(now, publisher.since)
                    ))
            }
        }
        for player in observation.players {
            var key = Key(
                kind: .player, classId: player.classId, siteId: player.siteId, transport: player.transport, sinceMillis: Self.millis(player.since))
            while !seen.insert(key).inserted { key.ordinal += 1 }
            if var session = open[key] {
                let from = max(session.fact.lastSeenAt, player.since)
                session.fact.renditionMillis[player.rendition, default: 0] += Self.millis(now) - Self.millis(min(from, now))
                session.fact.lastSeenAt = max(session.fact.lastSeenAt, now)
                session.fact.bytes = max(session.fact.bytes, Int64(player.bytes))
                session.fact.stalls = max(session.fact.stalls, Int64(player.stalls))
                session.missed = 0
                open[key] = session
            } else if let start = occurrence(player.classId, player.since) {
                let seenAt = max(now, player.since)
                open[key] = Open(
                    fact: SessionFact(
                        id: makeID(), nodeId: settings.nodeId, kind: .player, classId: player.classId, occurrenceStartsAt: start,
                        siteId: player.siteId, transport: player.transport, startedAt: player.since, lastSeenAt: seenAt,
                        bytes: Int64(player.bytes), stalls: Int64(player.stalls),
                        renditionMillis: [player.rendition: Self.millis(seenAt) - Self.millis(player.since)]
                    ))
            }
        }
        for (key, session) in open where !seen.contains(key) {
            if session.missed >= 1 {
                var fact = session.fact
                fact.ended = true
                endedUnwritten.append(fact)
                open[key] = nil
            } else {
                open[key]!.missed += 1
            }
        }
    }

    /// Every open session, ended (relay shutdown): its end is the last time it was seen.
    public mutating func endAll() {
        for session in open.values {
            var fact = session.fact
            fact.ended = true
            endedUnwritten.append(fact)
        }
        open.removeAll()
    }

    /// What to write now (nil: nothing due): ended sessions at once; every open session when the
    /// last full write is so old that waiting for the next poll would pass `flushInterval`.
    public mutating func due(at now: Date) -> [SessionFact]? {
        let full = lastFlush.map { now.timeIntervalSince($0) + settings.pollInterval > settings.flushInterval } ?? true
        guard full || !endedUnwritten.isEmpty else { return nil }
        var rows = endedUnwritten
        endedUnwritten.removeAll()
        if full {
            rows += openSessions
            lastFlush = now
        }
        return rows.isEmpty ? (full ? [] : nil) : rows
    }

    /// Puts rows that could not be written back, to be written with the next ones (newer facts of
    /// the same session win).
    public mutating func retry(_ rows: [SessionFact]) {
        let openIDs = Set(open.values.map(\.fact.id))
        endedUnwritten = rows.filter { $0.ended && !openIDs.contains($0.id) } + endedUnwritten
        lastFlush = nil
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
