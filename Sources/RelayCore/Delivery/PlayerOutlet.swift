public import Foundation
import NIOConcurrencyHelpers
public import NIOCore
import Synchronization

/// Where a stream delivers to one player: a bounded, lock-protected queue filled on the
/// publisher's thread and drained in batches on the player's event loop.
///
/// The publisher only appends (O(1), no allocation in steady state) and, at most once per batch,
/// marks the outlet dirty; it never waits for the player. A player that cannot keep up loses
/// media up to the next keyframe (see ``PlayerQueue``); one that has not accepted a byte for
/// `stallTimeout` is closed.
///
/// Why not the ``MediaInbox``-and-thread hand-off the workers use: the consumer here is the
/// player's connection, whose writes must happen on its NIO event loop, which must never wait on
/// a condition. So the outlet does not wake a thread; it marks itself dirty with the loop's
/// ``FlushScheduler``, and one scheduled task per loop and gathering window drains every dirty
/// outlet, each with one flush (a writev), for the thousands of players a loop carries.
public final class PlayerOutlet: StreamSubscriber, ViewerReporting, @unchecked Sendable {
    /// Who this player is, for the live view.
    public struct Identity: Sendable {
        public var schoolId: String?
        public var transport: AccessRequest.Transport
        public var rendition: String
        public init(schoolId: String? = nil, transport: AccessRequest.Transport = .rtmp, rendition: String = "source") {
            self.schoolId = schoolId
            self.transport = transport
            self.rendition = rendition
        }
    }

    public let eventLoop: any EventLoop
    public let identity: Identity
    public let since = Date()
    private let bytesSentCounter = Atomic<Int>(0)
    public let stallTimeout: TimeAmount
    private struct Shared {
        var queue: PlayerQueue
        var scheduled = false
        var newestTimestamp: UInt32 = 0
    }
    private let shared: NIOLockedValueBox<Shared>
    private let scheduler: FlushScheduler

    // Event-loop confined state.
    /// Strong while playing (no weak-load per drain); released by `close()`, which every
    /// player calls when it leaves, so the player and its outlet do not keep each other alive.
    private var sink: (any PlayerSink)?
    private var scratch: CircularBuffer<StreamItem>
    /// When the player last refused data that was waiting for it (nil while it keeps up).
    private var stalledSince: NIODeadline?
    private var closed = false

    /// Items written to the player so far (event-loop confined), and their wire bytes.
    public private(set) var messagesSent = 0
    public var bytesSent: Int { bytesSentCounter.load(ordering: .relaxed) }

    public var viewerSnapshot: ViewerSnapshot {
        let bytes = bytesSent
        let seconds = max(Date().timeIntervalSince(since), 0.001)
        return ViewerSnapshot(
            schoolId: identity.schoolId, transport: identity.transport, rendition: identity.rendition, since: since,
            bytesSent: bytes, sendKbps: Int(Double(bytes) * 8 / 1000 / seconds), gopDrops: dropStats.overflows
        )
    }

    public init(
        sink: any PlayerSink,
        eventLoop: any EventLoop,
        scheduler: FlushScheduler,
        limits: PlayerQueue.Limits = .init(),
        stallTimeout: TimeAmount = .seconds(20),
        identity: Identity = Identity()
    ) {
        self.identity = identity
        self.sink = sink
        self.eventLoop = eventLoop
        self.scheduler = scheduler
        self.stallTimeout = stallTimeout
        self.shared = NIOLockedValueBox(Shared(queue: PlayerQueue(limits: limits)))
        self.scratch = CircularBuffer(initialCapacity: 512)
    }

    public var mixMinusSite: String? { identity.schoolId }

    public func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        let mark = shared.withLockedValue { shared -> Bool in
            guard shared.queue.push(item, streamHasVideo: streamHasVideo) else { return false }
            if case .media(let message) = item { shared.newestTimestamp = message.timestamp }
            if shared.scheduled { return false }
            shared.scheduled = true
            return true
        }
        if mark { scheduler.markDirty(self) }
    }

    /// Counters of the drop policy, for logs and the live view.
    public var dropStats: (droppedMessages: Int, overflows: Int) {
        shared.withLockedValue { ($0.queue.droppedMessages, $0.queue.overflows) }
    }

    /// Queued media time in milliseconds (the player's backlog inside the relay).
    public var backlogMillis: UInt32 {
        shared.withLockedValue { $0.queue.backlogMillis(newest: $0.newestTimestamp) }
    }

    /// Bytes the player's connection holds that its socket has not taken yet. On the loop.
    public var connectionBufferedBytes: Int {
        eventLoop.preconditionInEventLoop()
        return sink?.bufferedBytes ?? 0
    }

    /// Drains now instead of at the next tick (first frames, or writable again). On the loop.
    public func flushNow() {
        eventLoop.preconditionInEventLoop()
        drainOnLoop()
    }

    /// Stops deliveries; queued items are dropped. On the loop.
    public func close() {
        eventLoop.assertInEventLoop()
        closed = true
        sink = nil
        shared.withLockedValue { shared in
            var discard = CircularBuffer<StreamItem>()
            shared.queue.drain(into: &discard)
        }
    }

    func drainOnLoop() {
        eventLoop.assertInEventLoop()
        guard !closed, let sink else {
            shared.withLockedValue { $0.scheduled = false }
            return
        }
        guard sink.isWritable else {
            let pending = shared.withLockedValue { shared -> Bool in
                shared.scheduled = false
                return !shared.queue.isEmpty
            }
            guard pending else { return }
            // The loop's clock: an EmbeddedEventLoop's in tests, so a stall needs no real sleep.
            let now = eventLoop.now
            let since = stalledSince ?? now
            stalledSince = since
            if now - since > stallTimeout {
                closed = true
                sink.close(reason: .stalled(milliseconds: stallTimeout.nanoseconds / 1_000_000))
            }
            return
        }
        stalledSince = nil
        shared.withLockedValue { shared in
            shared.queue.drain(into: &scratch)
            shared.scheduled = false
        }
        guard !scratch.isEmpty else { return }
        var bytes = 0
        while let item = scratch.popFirst() {
            if case .media(let message) = item { bytes &+= message.wireSize }
            messagesSent &+= 1
            sink.write(item)
        }
        bytesSentCounter.add(bytes, ordering: .relaxed)
        sink.flush()
    }
}
