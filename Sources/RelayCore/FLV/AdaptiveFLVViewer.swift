public import NIOCore

/// An HTTP-FLV player that plays the plain class name: its ``FLVViewer`` fed by an
/// ``AdaptivePlayback`` (rung chosen and switched as for RTMP), whose timer runs on `eventLoop`.
/// The response's writes wait for the socket, so what the viewer queues is the whole backlog.
public final class AdaptiveFLVViewer: AdaptiveOutlet, Sendable {
    public let viewer: FLVViewer
    public let eventLoop: any EventLoop

    public init(viewer: FLVViewer, eventLoop: any EventLoop) {
        self.viewer = viewer
        self.eventLoop = eventLoop
    }

    public func enqueue(_ item: StreamItem, streamHasVideo: Bool) { viewer.enqueue(item, streamHasVideo: streamHasVideo) }
    public var wantsFLVFraming: Bool { true }
    public var mixMinusSite: String? { viewer.schoolId }
    public var viewerSnapshot: ViewerSnapshot { viewer.viewerSnapshot }
    public var bytesSent: Int { viewer.bytesSent }
    public var connectionBufferedBytes: Int { 0 }
    public var backlogMillis: UInt32 { viewer.backlogMillis }
}
