public import Foundation

/// One relayd of a bureau's service, as its heartbeat row says: where the other nodes reach it,
/// when it last wrote, and the streams whose publisher is connected to it.
public struct RelayNode: Sendable, Equatable {
    public var id: String
    public var advertiseHost: String
    public var lastSeen: Date
    /// `live/<classId>` names with a publisher on this node.
    public var streams: [String]
    /// Its listeners' ports (`rtmp`, `srt`, `http`, `webrtc`), for a node that pulls from it.
    public var ports: [String: Int]

    public init(id: String, advertiseHost: String, lastSeen: Date, streams: [String], ports: [String: Int]) {
        self.id = id
        self.advertiseHost = advertiseHost
        self.lastSeen = lastSeen
        self.streams = streams
        self.ports = ports
    }

    /// Alive while it wrote within `window` (three heartbeats); a node stopped gracefully writes
    /// a last-seen of zero, so it is not alive at once.
    public func isAlive(now: Date = Date(), window: TimeInterval) -> Bool {
        now.timeIntervalSince(lastSeen) <= window
    }
}
