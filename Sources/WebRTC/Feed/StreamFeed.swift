import Logging
import Media
import NIOConcurrencyHelpers
import NIOCore
import RelayCore

/// What one stream gives its WebRTC viewers: a subscriber of the `LiveStream` that queues the
/// stream's messages (never blocking the publisher) for its own thread, which packetizes them
/// once (``FeedWorker``) and hands each frame to the media server's event loop.
///
/// Owned by the media server: `start` once, `stop` once (joins the thread; not on an event loop).
final class StreamFeed: StreamSubscriber, ViewerGroupReporting {
    let key: StreamKey
    /// Set on a program-audio feed of an on-stage site's own viewers: the rung then hands this
    /// feed that site's mix-minus in place of the program's audio.
    let mixMinusSite: String?
    /// False on a program-audio feed: the rung it subscribes to need not encode pictures for it.
    let wantsVideo: Bool
    /// Room for the registry's cached GOP, which a new feed receives in one burst while its
    /// thread is still opening the Opus encoder: at 60 (a 2 s GOP at 30 fps) that burst
    /// overflowed, so the first viewers of a lesson got one picture and then waited for the next
    /// keyframe. Beyond this the thread is really behind and video drops to the next keyframe.
    static let maxQueuedVideoFrames = 300
    private let inbox = MediaInbox(maxVideoFrames: StreamFeed.maxQueuedVideoFrames)
    private let worker: FeedWorker
    private let thread: OwnedThread
    private let registry: StreamRegistry
    private let reported = NIOLockedValueBox<[ViewerSnapshot]>([])

    /// Subscribes to `key` and starts the feed's thread. `emit` is called on that thread.
    init(
        key: StreamKey, registry: StreamRegistry, transcodesAudio: Bool, packetizesVideo: Bool = true, mixMinusSite: String? = nil,
        logger: Logger, emit: @escaping @Sendable (FeedOutput) -> Void
    ) throws {
        self.key = key
        self.mixMinusSite = mixMinusSite
        self.wantsVideo = packetizesVideo
        self.registry = registry
        let worker = FeedWorker(key: key, transcodesAudio: transcodesAudio, packetizesVideo: packetizesVideo, logger: logger, emit: emit)
        self.worker = worker
        let inbox = self.inbox
        nonisolated(unsafe) let confined = worker  // used by the feed's thread only
        thread = try OwnedThread(name: "webrtc-feed") {
            while let item = inbox.pop() { confined.handle(item) }
        }
        registry.attachSubscriber(self, to: key)
    }

    /// Called under the stream's lock: queue and return.
    func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        inbox.push(item)
    }

    /// The viewers this feed's picture goes to, as the media server last reported them.
    var viewerSnapshots: [ViewerSnapshot] { reported.withLockedValue { $0 } }

    func report(_ viewers: [ViewerSnapshot]) {
        reported.withLockedValue { $0 = viewers }
    }

    /// Leaves the stream and joins the thread. Blocks briefly: call it off the event loops.
    func stop() {
        if let stream = registry.stream(key) { registry.detachSubscriber(self, from: stream) }
        inbox.close()
        thread.join()
    }
}

extension StreamFeed: @unchecked Sendable {}  // immutable after init but for the locked report; the worker is confined to its thread
