import Foundation

/// Who publishes a stream, as the live view shows it.
public struct PublisherInfo: Sendable {
    public var transport: AccessRequest.Transport
    public var since: Date
    public var schoolId: String?
    public init(transport: AccessRequest.Transport, since: Date = Date(), schoolId: String? = nil) {
        self.transport = transport
        self.since = since
        self.schoolId = schoolId
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

/// A stream's state at one moment.
public struct StreamSnapshot: Sendable {
    public var key: StreamKey
    public var publisher: PublisherInfo?
    public var video: VideoInfo?
    public var inputKbps: Int
    public var inputBytes: Int
    public var viewers: [ViewerSnapshot]
}
