import RelayTestSupport
import Foundation
import NIOCore
import RelayCore

/// A subscriber that records everything the stream hands it, and what a player's queue
/// (``PlayerQueue``, the relay's drop policy) would let through.
final class RecordingSubscriber: StreamSubscriber, @unchecked Sendable {
    private let lock = NSLock()
    private var _raw: [(item: StreamItem, streamHasVideo: Bool)] = []
    private var queue = PlayerQueue()

    func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        lock.lock()
        defer { lock.unlock() }
        _raw.append((item, streamHasVideo))
        _ = queue.push(item, streamHasVideo: streamHasVideo)
    }

    /// Everything enqueued, as labels.
    var raw: [String] { lock.withLock { _raw.map(\.item.label) } }
    var rawItems: [StreamItem] { lock.withLock { _raw.map(\.item) } }
    var events: [StreamEvent] { lock.withLock { _raw.compactMap(\.item.event) } }
    var media: [MediaMessage] { lock.withLock { _raw.compactMap(\.item.media) } }

    /// What a player would get: takes the queue's items (and empties it).
    func takeAccepted() -> [String] {
        lock.withLock {
            var out = CircularBuffer<StreamItem>()
            queue.drain(into: &out)
            return out.map(\.label)
        }
    }
}

/// A publisher that records evictions.
final class FakePublisher: StreamPublisher, @unchecked Sendable {
    private let lock = NSLock()
    private var _evictions: [String] = []
    func evict(reason: String) { lock.withLock { _evictions.append(reason) } }
    var evictions: [String] { lock.withLock { _evictions } }
}

/// A player connection that records writes and flushes. Used on one event loop only.
final class FakeSink: PlayerSink {
    var isWritable = true
    private(set) var written: [StreamItem] = []
    /// Items written between consecutive flushes.
    private(set) var flushes: [[String]] = []
    private var pending: [String] = []
    private(set) var closeReasons: [CloseReason] = []

    func write(_ item: StreamItem) {
        written.append(item)
        pending.append(item.label)
    }

    func flush() {
        flushes.append(pending)
        pending = []
    }

    func close(reason: CloseReason) { closeReasons.append(reason) }
}
