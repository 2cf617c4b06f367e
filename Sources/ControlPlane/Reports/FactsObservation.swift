public import Foundation
public import RelayCore

/// What one poll of the stream registry saw, reduced to what the reports keep: each class's
/// publisher and each return feed's (not a pull from another node: that node records it), and
/// each player that played with the key of a site of its class (the central school's, an
/// administrator's and another node's pull are not attendance).
public struct FactsObservation: Sendable, Equatable {
    public struct Publisher: Sendable, Equatable {
        public var classId: String
        /// The site of a return feed; nil for the lesson.
        public var siteId: String?
        public var transport: String
        public var since: Date
    }

    public struct Player: Sendable, Equatable {
        public var classId: String
        public var siteId: String
        public var transport: String
        public var since: Date
        public var rendition: String
        public var bytes: Int
        public var stalls: Int
    }

    public var at: Date
    public var publishers: [Publisher]
    public var players: [Player]

    public init(at: Date, publishers: [Publisher] = [], players: [Player] = []) {
        self.at = at
        self.publishers = publishers
        self.players = players
    }

    /// Reads `snapshots` of `live/…` streams: `<classId>`, `<classId>_<rung>`, `<classId>~<siteId>`
    /// (ids have no `_`, so a rung's suffix is what follows the first one). `sitesOf` gives a
    /// class's sites (nil: not a class on the timetable, not recorded).
    public init(at: Date, snapshots: [StreamSnapshot], sitesOf: (String) -> [String]?) {
        self.at = at
        publishers = []
        players = []
        for snapshot in snapshots where snapshot.key.app == "live" {
            let name = snapshot.key.name
            let base = name.split(separator: "_", maxSplits: 1).first.map(String.init) ?? name
            let isRung = base.count != name.count
            let feed = ReturnFeedName(streamName: base)
            let classId = feed?.classId ?? base
            guard let sites = sitesOf(classId) else { continue }
            if let feed, !sites.contains(feed.siteId) { continue }
            if !isRung, let publisher = snapshot.publisher, publisher.pulledFrom == nil {
                publishers.append(Publisher(classId: classId, siteId: feed?.siteId, transport: publisher.transport.rawValue, since: publisher.since))
            }
            // A return feed's players are the central school: not a site's attendance.
            guard feed == nil else { continue }
            for viewer in snapshot.viewers {
                guard let site = viewer.schoolId, sites.contains(site) else { continue }
                players.append(
                    Player(
                        classId: classId, siteId: site, transport: viewer.transport.rawValue, since: viewer.since,
                        rendition: viewer.rendition, bytes: viewer.bytesSent, stalls: viewer.gopDrops
                    ))
            }
        }
    }
}
