/// Which on-stage sites leave the stage because their return feed dropped: a site whose feed
/// has had no publisher for `grace` (the relay's `publisher.graceSeconds`) goes; a feed back
/// within it changes nothing. A value: fed the stage, the published feeds and the time.
public struct DroppedStageFeeds: Sendable {
    public let grace: Duration
    /// Since when each on-stage site (class, site) has been seen without a publisher.
    private var missingSince: [Site: ContinuousClock.Instant] = [:]

    private struct Site: Hashable, Sendable {
        let classId: String
        let siteId: String
    }

    public init(grace: Duration) {
        self.grace = grace
    }

    /// The sites of `classId`'s stage (`onStage`) to take off it at `now`: those not in
    /// `published` since at least `grace` ago.
    public mutating func dropped(classId: String, onStage: [String], published: Set<String>, now: ContinuousClock.Instant) -> [String] {
        missingSince = missingSince.filter { $0.key.classId != classId || onStage.contains($0.key.siteId) }
        var dropped: [String] = []
        for siteId in onStage {
            let site = Site(classId: classId, siteId: siteId)
            guard !published.contains(siteId) else {
                missingSince[site] = nil
                continue
            }
            let since = missingSince[site] ?? now
            missingSince[site] = since
            if now - since >= grace { dropped.append(siteId) }
        }
        return dropped
    }

    /// Forgets classes no longer watched (their teacher left this node).
    public mutating func keep(classes: Set<String>) {
        missingSince = missingSince.filter { classes.contains($0.key.classId) }
    }
}
