public import Foundation

/// Who publishes a stream, as the live view shows it.
public struct PublisherInfo: Sendable {
    public var transport: AccessRequest.Transport
    public var since: Date
    public var schoolId: String?
    /// Set when the "publisher" is this node's pull of the stream from another node (its id):
    /// such a stream is not this node's to record or to announce.
    public var pulledFrom: String?
    public init(transport: AccessRequest.Transport, since: Date = Date(), schoolId: String? = nil, pulledFrom: String? = nil) {
        self.transport = transport
        self.since = since
        self.schoolId = schoolId
        self.pulledFrom = pulledFrom
    }
}

/// The published video as the publisher described it (onMetaData or codec configuration).
public struct VideoInfo: Sendable, Equatable {
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

/// One player as the live view shows it.
public struct ViewerSnapshot: Sendable {
    public var schoolId: String?
    public var transport: AccessRequest.Transport
    public var rendition: String
    public var since: Date
    public var bytesSent: Int
    public var sendKbps: Int
    /// Times the player's backlog overflowed and was cut back to the next keyframe.
    public var gopDrops: Int
    /// What the transport measured on the player's link (SRT players), when known.
    public var link: LinkStats?

    public init(
        schoolId: String?, transport: AccessRequest.Transport, rendition: String, since: Date, bytesSent: Int,
        sendKbps: Int, gopDrops: Int, link: LinkStats? = nil
    ) {
        self.schoolId = schoolId
        self.transport = transport
        self.rendition = rendition
        self.since = since
        self.bytesSent = bytesSent
        self.sendKbps = sendKbps
        self.gopDrops = gopDrops
        self.link = link
    }
}

/// A player link's health as its transport measures it (SRT's own statistics).
public struct LinkStats: Sendable, Equatable {
    /// Smoothed round-trip time in milliseconds.
    public var rttMs: Double
    /// Packets reported lost by the receiver, as a percentage of packets sent.
    public var lossPercent: Double
    /// The transport's current send rate in Mbit/s.
    public var sendMbps: Double
    /// Media waiting in the transport's send buffer (not yet acknowledged), in milliseconds.
    public var sendBufferMs: Int?

    public init(rttMs: Double, lossPercent: Double, sendMbps: Double, sendBufferMs: Int? = nil) {
        self.rttMs = rttMs
        self.lossPercent = lossPercent
        self.sendMbps = sendMbps
        self.sendBufferMs = sendBufferMs
    }
}

/// A subscriber that is a viewer (players are; a transcoder is not).
public protocol ViewerReporting: AnyObject {
    var viewerSnapshot: ViewerSnapshot { get }
    /// False while the subscriber should not be listed (an adaptive player's rung it is not on).
    var isReportedViewer: Bool { get }
}

extension ViewerReporting {
    public var isReportedViewer: Bool { true }
}

/// A subscriber that serves several viewers (an SRT stream's shared MPEG-TS muxer).
public protocol ViewerGroupReporting: AnyObject {
    var viewerSnapshots: [ViewerSnapshot] { get }
}

/// A stream's state at one moment.
public struct StreamSnapshot: Sendable {
    public var key: StreamKey
    public var publisher: PublisherInfo?
    public var video: VideoInfo?
    public var inputKbps: Int
    public var inputBytes: Int
    public var viewers: [ViewerSnapshot]
}
