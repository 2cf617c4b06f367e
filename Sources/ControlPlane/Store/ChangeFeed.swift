/// What changed, announced to every node sharing the database (PostgreSQL LISTEN/NOTIFY on one
/// channel, `relayd`), so the others act at once instead of at their next poll.
public enum ClusterChange: Sendable, Equatable {
    /// Schools, pairings or classes changed: reload the timetable snapshot.
    case timetable
    /// A node's published streams changed (its heartbeat row was just written).
    case directory(node: String)
    /// The feed (re)connected: anything may have been missed, so reload everything.
    case resync

    static let channel = "relayd"

    var payload: String {
        switch self {
        case .timetable: return "timetable"
        case .directory(let node): return "directory:" + node
        case .resync: return "resync"
        }
    }

    init?(payload: String) {
        if payload == "timetable" {
            self = .timetable
        } else if payload.hasPrefix("directory:") {
            self = .directory(node: String(payload.dropFirst("directory:".count)))
        } else {
            return nil
        }
    }

    /// Whether a consumer of `kind` must act on this change.
    public func concerns(_ kind: Kind) -> Bool {
        switch (self, kind) {
        case (.resync, _), (.timetable, .timetable), (.directory, .directory): return true
        default: return false
        }
    }

    public enum Kind: Sendable { case timetable, directory }
}

/// Announces and receives ``ClusterChange``s. SQLite has one node: nothing to tell anyone.
public protocol ChangeFeed: Sendable {
    func announce(_ change: ClusterChange) async
    /// The changes every node announces (this one's too) until the consuming task is cancelled,
    /// starting with `.resync` each time the feed (re)connects.
    func changes() -> AsyncStream<ClusterChange>
}

/// One node alone: nothing is announced and nothing arrives.
public struct NoChangeFeed: ChangeFeed {
    public init() {}
    public func announce(_ change: ClusterChange) async {}
    public func changes() -> AsyncStream<ClusterChange> { AsyncStream { _ in } }
}
