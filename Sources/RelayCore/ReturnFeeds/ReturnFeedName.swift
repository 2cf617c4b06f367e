/// A site's return feed of a class (the two-way dedicated classroom): the stream
/// `live/<classId>~<siteId>`, published by the site with its own key and played by the class's
/// central school.
public struct ReturnFeedName: Hashable, Sendable, CustomStringConvertible {
    public static let separator: Character = "~"

    public let classId: String
    public let siteId: String

    public init(classId: String, siteId: String) {
        self.classId = classId
        self.siteId = siteId
    }

    /// `math~site-a` → (`math`, `site-a`); nil for a name without exactly one `~` between two
    /// non-empty parts (a lesson's name, or a malformed one).
    public init?(streamName: String) {
        let parts = streamName.split(separator: Self.separator, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.classId = String(parts[0])
        self.siteId = String(parts[1])
    }

    public var streamName: String { "\(classId)\(Self.separator)\(siteId)" }
    public var streamKey: StreamKey { StreamKey(app: "live", name: streamName) }
    public var description: String { "live/\(streamName)" }
}

extension StreamKey {
    /// The return feed this stream is, if it is one (`live/<classId>~<siteId>`).
    public var returnFeed: ReturnFeedName? {
        app == "live" ? ReturnFeedName(streamName: name) : nil
    }
}
