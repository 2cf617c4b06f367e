public import Foundation

/// How the on-stage sites are composed into the teacher's picture.
public enum StageLayout: String, Codable, Sendable, CaseIterable {
    /// Each site inset at a quarter of the width, bottom right, stacked.
    case pip
    /// Teacher and sites side by side.
    case sideBySide = "side-by-side"
}

/// A site that asked to speak, and since when.
public struct RaisedHand: Equatable, Sendable {
    public let siteId: String
    public let since: Date

    public init(siteId: String, since: Date) {
        self.siteId = siteId
        self.since = since
    }
}

/// Who is on a class's stage (at most ``maxSites`` sites), how they are composed, and the
/// hands raised: what `GET /api/v1/classes/{id}/stage` answers and the program is composed from.
public struct ClassStage: Equatable, Sendable {
    public static let maxSites = 3

    public var sites: [String]
    public var layout: StageLayout
    /// When the stage last changed (nil: never set in this occurrence).
    public var since: Date?
    /// Raised hands in the order they were raised.
    public var hands: [RaisedHand]

    public init(sites: [String] = [], layout: StageLayout = .pip, since: Date? = nil, hands: [RaisedHand] = []) {
        self.sites = sites
        self.layout = layout
        self.since = since
        self.hands = hands
    }

    public static let empty = ClassStage()
}

/// `PUT /api/v1/classes/{id}/stage`'s rules, apart from any store: at most three sites, each a
/// site of the class, named once, whose return feed is live now; a known layout.
public struct StageChange: Equatable, Sendable {
    public let sites: [String]
    public let layout: StageLayout

    public init(sites: [String], layout: StageLayout) {
        self.sites = sites
        self.layout = layout
    }

    public enum Refusal: Error, Equatable, Sendable {
        /// More than ``ClassStage/maxSites`` sites (422).
        case tooManySites(Int)
        /// A site named twice (422).
        case repeated(String)
        /// A site that is not a site of the class (422).
        case notASite(String)
        /// A site whose return feed is not live (409, naming it).
        case notLive(String)
    }

    /// Checks `sites` against the class's sites and the return feeds live now.
    public static func check(
        sites: [String], layout: StageLayout, classSites: [String], liveFeeds: Set<String>
    ) -> Result<StageChange, Refusal> {
        guard sites.count <= ClassStage.maxSites else { return .failure(.tooManySites(sites.count)) }
        var seen = Set<String>()
        for site in sites {
            guard seen.insert(site).inserted else { return .failure(.repeated(site)) }
            guard classSites.contains(site) else { return .failure(.notASite(site)) }
        }
        if let dark = sites.first(where: { !liveFeeds.contains($0) }) { return .failure(.notLive(dark)) }
        return .success(StageChange(sites: sites, layout: layout))
    }
}
