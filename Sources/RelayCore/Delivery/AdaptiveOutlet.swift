public import NIOCore

/// What an adaptive player's ``RenditionSwitcher`` feeds and its ``AdaptivePlayback`` measures:
/// an RTMP player's ``PlayerOutlet`` or an HTTP-FLV player's ``FLVViewer``.
public protocol AdaptiveOutlet: StreamSubscriber, ViewerReporting {
    /// Where the adaptive playback's timer and its confined state run.
    var eventLoop: any EventLoop { get }
    /// Wire bytes handed to the player's connection so far.
    var bytesSent: Int { get }
    /// Of those, the bytes the connection still holds (its socket has not taken them). On the loop.
    var connectionBufferedBytes: Int { get }
    /// Media time queued for the player inside the relay, in milliseconds.
    var backlogMillis: UInt32 { get }
}

extension PlayerOutlet: AdaptiveOutlet {}
