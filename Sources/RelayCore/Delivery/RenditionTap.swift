import NIOConcurrencyHelpers

/// An adaptive player's subscription to one rung stream (or the source), feeding its
/// ``RenditionSwitcher``. Shown in the live view as the player, with this rung, while active.
public final class RenditionTap: StreamSubscriber, ViewerReporting, Sendable {
    /// `source` or a rung name.
    public let rendition: String
    public let key: StreamKey
    private let switcher: RenditionSwitcher
    private let subscribed = NIOLockedValueBox<LiveStream?>(nil)

    public init(rendition: String, key: StreamKey, switcher: RenditionSwitcher) {
        self.rendition = rendition
        self.key = key
        self.switcher = switcher
    }

    /// The stream this tap was attached to.
    public var stream: LiveStream? {
        get { subscribed.withLockedValue { $0 } }
        set { subscribed.withLockedValue { $0 = newValue } }
    }

    public func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        switcher.deliver(item, from: self, streamHasVideo: streamHasVideo)
    }

    public var viewerSnapshot: ViewerSnapshot {
        var snapshot = switcher.outlet.viewerSnapshot
        snapshot.rendition = rendition
        return snapshot
    }

    public var isReportedViewer: Bool { switcher.isActive(self) }

    /// As the player it feeds (an HTTP-FLV player's rung streams frame FLV tags).
    public var wantsFLVFraming: Bool { switcher.outlet.wantsFLVFraming }
    /// As the player it feeds.
    public var mixMinusSite: String? { switcher.outlet.mixMinusSite }
}
