extension RelayAPI {
    /// What is live in a class now (`GET /api/v1/classes/<id>/live`).
    public struct LiveView: Codable, Equatable, Sendable {
        public struct Video: Codable, Equatable, Sendable {
            public var codec: String
            public var width: Int
            public var height: Int
            public var fps: Double

            public init(codec: String, width: Int, height: Int, fps: Double) {
                self.codec = codec
                self.width = width
                self.height = height
                self.fps = fps
            }
        }

        public struct Publisher: Codable, Equatable, Sendable {
            public var `protocol`: String
            public var since: String
            public var inputKbps: Int
            public var video: Video?

            public init(protocol: String, since: String, inputKbps: Int, video: Video? = nil) {
                self.protocol = `protocol`
                self.since = since
                self.inputKbps = inputKbps
                self.video = video
            }
        }

        public struct Rendition: Codable, Equatable, Sendable {
            public var name: String
            public var width: Int
            public var height: Int
            public var videoKbps: Int

            public init(name: String, width: Int, height: Int, videoKbps: Int) {
                self.name = name
                self.width = width
                self.height = height
                self.videoKbps = videoKbps
            }
        }

        public struct Viewer: Codable, Equatable, Sendable {
            public var siteId: String?
            public var `protocol`: String
            public var rendition: String
            public var sendKbps: Int
            public var since: String
            /// SRT viewers: what SRT measures on the link.
            public var rttMs: Double?
            public var lossPercent: Double?
            public var sendMbps: Double?
            public var sendBufferMs: Int?

            public init(
                siteId: String?, protocol: String, rendition: String, sendKbps: Int, since: String, rttMs: Double? = nil,
                lossPercent: Double? = nil, sendMbps: Double? = nil, sendBufferMs: Int? = nil
            ) {
                self.siteId = siteId
                self.protocol = `protocol`
                self.rendition = rendition
                self.sendKbps = sendKbps
                self.since = since
                self.rttMs = rttMs
                self.lossPercent = lossPercent
                self.sendMbps = sendMbps
                self.sendBufferMs = sendBufferMs
            }
        }

        /// A site's return feed (`live/<classId>~<siteId>`) being published.
        public struct ReturnFeed: Codable, Equatable, Sendable {
            public var siteId: String
            public var `protocol`: String
            public var since: String
            public var inputKbps: Int
            public var video: Video?
            /// Its players (the central school).
            public var viewers: [Viewer]?

            public init(siteId: String, protocol: String, since: String, inputKbps: Int, video: Video? = nil, viewers: [Viewer]? = nil) {
                self.siteId = siteId
                self.protocol = `protocol`
                self.since = since
                self.inputKbps = inputKbps
                self.video = video
                self.viewers = viewers
            }
        }

        public var classId: String
        /// `scheduled`, `live` or `ended`.
        public var state: String
        public var publisher: Publisher?
        public var renditions: [Rendition]
        public var viewers: [Viewer]
        /// Absent from relays older than return feeds.
        public var returnFeeds: [ReturnFeed]?
        /// The class's stage and raised hands; absent from relays older than the interactive classroom.
        public var stage: Stage?

        public init(
            classId: String, state: String, publisher: Publisher?, renditions: [Rendition], viewers: [Viewer],
            returnFeeds: [ReturnFeed]? = nil, stage: Stage? = nil
        ) {
            self.stage = stage
            self.classId = classId
            self.state = state
            self.publisher = publisher
            self.renditions = renditions
            self.viewers = viewers
            self.returnFeeds = returnFeeds
        }
    }
}
