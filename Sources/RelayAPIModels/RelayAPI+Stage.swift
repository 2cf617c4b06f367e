extension RelayAPI {
    /// A class's stage and raised hands (`GET`/`PUT /api/v1/classes/<id>/stage`, the live view's `stage`).
    public struct Stage: Codable, Equatable, Sendable {
        public struct Hand: Codable, Equatable, Sendable {
            public var siteId: String
            public var since: String

            public init(siteId: String, since: String) {
                self.siteId = siteId
                self.since = since
            }
        }

        /// The sites on stage (at most three), in the order they are composed.
        public var sites: [String]
        /// `pip` or `side-by-side`.
        public var layout: String
        public var hands: [Hand]
        /// When the stage last changed in this occurrence; absent when it was never set.
        public var since: String?

        public init(sites: [String], layout: String, hands: [Hand], since: String? = nil) {
            self.sites = sites
            self.layout = layout
            self.hands = hands
            self.since = since
        }
    }

    /// `PUT /api/v1/classes/<id>/stage`'s body.
    public struct StageRequest: Codable, Equatable, Sendable {
        public var sites: [String]
        /// `pip` (the default) or `side-by-side`.
        public var layout: String?

        public init(sites: [String], layout: String? = nil) {
            self.sites = sites
            self.layout = layout
        }
    }
}
