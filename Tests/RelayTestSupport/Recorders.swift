import Foundation
import NIOCore
import RelayCore

/// A subscriber that records everything the stream hands it, and what a player's queue
/// (``PlayerQueue``, the relay's drop policy) would let through.
public final class RecordingSubscriber: StreamSubscriber, @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var _raw: [(item: StreamItem, streamHasVideo: Bool)] = []
    private var queue = PlayerQueue()

    public func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        lock.lock()
        defer { lock.unlock() }
        _raw.append((item, streamHasVideo))
        _ = queue.push(item, streamHasVideo: streamHasVideo)
    }

    /// Everything enqueued, as labels.
    public var raw: [String] { lock.withLock { _raw.map(\.item.label) } }
    public var rawItems: [StreamItem] { lock.withLock { _raw.map(\.item) } }
    public var events: [StreamEvent] { lock.withLock { _raw.compactMap(\.item.event) } }
    public var media: [MediaMessage] { lock.withLock { _raw.compactMap(\.item.media) } }

    /// What a player would get: takes the queue's items (and empties it).
    public func takeAccepted() -> [String] {
        lock.withLock {
            var out = CircularBuffer<StreamItem>()
            queue.drain(into: &out)
            return out.map(\.label)
        }
    }
}

/// A publisher that records evictions.
public final class FakePublisher: StreamPublisher, @unchecked Sendable {
    public init() {}
    private let lock = NSLock()
    private var _evictions: [String] = []
    public func evict(reason: String) { lock.withLock { _evictions.append(reason) } }
    public var evictions: [String] { lock.withLock { _evictions } }
}

/// A player connection that records writes and flushes. Used on one event loop only.
public final class FakeSink: PlayerSink {
    public init() {}
    public var isWritable = true
    public private(set) var written: [StreamItem] = []
    /// Items written between consecutive flushes.
    public private(set) var flushes: [[String]] = []
    private var pending: [String] = []
    public private(set) var closeReasons: [CloseReason] = []

    public func write(_ item: StreamItem) {
        written.append(item)
        pending.append(item.label)
    }

    public func flush() {
        flushes.append(pending)
        pending = []
    }

    public func close(reason: CloseReason) { closeReasons.append(reason) }
}
