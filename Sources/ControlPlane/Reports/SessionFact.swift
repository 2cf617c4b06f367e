public import Foundation

/// One session as the reports keep it: a lesson's publisher, a site's return feed, or a site's
/// player, from its start to the last moment it was seen (its end once `ended`), on one node.
/// Rows of `report_sessions`, written as they happen by ``FactsRecorder``.
public struct SessionFact: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// The central school publishing the lesson (`live/<classId>`).
        case publisher
        /// A site publishing its classroom back (`live/<classId>~<siteId>`).
        case returnFeed = "return-feed"
        /// A site's player (played with that site's key).
        case player
    }

    public var id: String
    public var nodeId: String
    public var kind: Kind
    public var classId: String
    /// The start of the occurrence the session belongs to (it was in that occurrence's window).
    public var occurrenceStartsAt: Date
    /// The site (players and return feeds); nil for the lesson's publisher.
    public var siteId: String?
    /// `rtmp`, `srt`, `webrtc`, `hls`, `flv`, …
    public var transport: String
    public var startedAt: Date
    public var lastSeenAt: Date
    public var ended: Bool
    public var bytes: Int64
    /// Times the player fell behind and was cut back to a keyframe.
    public var stalls: Int64
    /// Milliseconds spent on each rendition (`source`, `720p`, …); players only.
    public var renditionMillis: [String: Int64]

    public init(
        id: String, nodeId: String, kind: Kind, classId: String, occurrenceStartsAt: Date, siteId: String?, transport: String,
        startedAt: Date, lastSeenAt: Date, ended: Bool = false, bytes: Int64 = 0, stalls: Int64 = 0,
        renditionMillis: [String: Int64] = [:]
    ) {
        self.id = id
        self.nodeId = nodeId
        self.kind = kind
        self.classId = classId
        self.occurrenceStartsAt = occurrenceStartsAt
        self.siteId = siteId
        self.transport = transport
        self.startedAt = startedAt
        self.lastSeenAt = lastSeenAt
        self.ended = ended
        self.bytes = bytes
        self.stalls = stalls
        self.renditionMillis = renditionMillis
    }

    /// `720p=12000,source=3000`: the rendition times as stored (names are ladder names: no `=` or `,`).
    var renditionsText: String {
        renditionMillis.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    static func renditions(from text: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=")
            if parts.count == 2, let millis = Int64(parts[1]) { result[String(parts[0]), default: 0] += millis }
        }
        return result
    }
}
