import Foundation
import NIOCore
public import RelayCore

/// What a stream hands a worker thread (a transcoder, a recorder, an HLS variant's muxer, a WebRTC
/// feed): a bounded queue filled under the stream's lock (never blocking) and emptied by the
/// worker's own thread (an ``OwnedThread``). This is the relay's hand-off to a thread of its own;
/// the few others each say at their type why theirs differs. When the
/// worker falls more than `maxVideoFrames` behind, video is dropped up to the next keyframe
/// (counted). `@unchecked Sendable`: every member is guarded by `condition`.
public final class MediaInbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = CircularBuffer<StreamItem>(initialCapacity: 256)
    private var queuedVideo = 0
    private var droppingVideo = false
    private var closed = false
    /// Closed, but what is queued is still handed out (``closeAfterQueued()``).
    private var draining = false
    private let maxVideoFrames: Int
    private let maxItems: Int
    /// Source video frames dropped because the transcoder fell behind.
    private(set) var dropped = 0
    /// The timestamp of the newest media message pushed (kept or dropped).
    private var newestTimestamp: UInt32?

    public init(maxVideoFrames: Int) {
        self.maxVideoFrames = maxVideoFrames
        self.maxItems = maxVideoFrames * 4 + 64
    }

    public func push(_ item: StreamItem) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        var isVideoFrame = false, isKeyframe = false
        if case .media(let message) = item, !message.isSequenceHeader {
            newestTimestamp = message.timestamp
            isVideoFrame = message.kind == .video
            isKeyframe = message.isKeyframe
        }
        if isVideoFrame {
            if isKeyframe, queuedVideo < maxVideoFrames { droppingVideo = false }
            if droppingVideo || queuedVideo >= maxVideoFrames {
                droppingVideo = true
                dropped += 1
                return
            }
            queuedVideo += 1
        } else if items.count >= maxItems {
            return
        }
        items.append(item)
        condition.signal()
    }

    /// The timestamp of the newest media message the stream pushed (nil: none yet): a bound on
    /// what the stream had published when it is read.
    public var newestPushedTimestamp: UInt32? {
        condition.lock()
        defer { condition.unlock() }
        return newestTimestamp
    }

    /// The next item, waiting for one; nil once closed.
    public func pop() -> StreamItem? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty, !closed { condition.wait() }
        return dequeue()
    }

    /// The next item, waiting at most `timeout` for one; nil after the timeout or once closed
    /// (``isClosed`` tells which). For a worker that also has to look up now and then (an HLS
    /// variant's idle check).
    public func pop(waitingAtMost timeout: Duration) -> StreamItem? {
        condition.lock()
        defer { condition.unlock() }
        if items.isEmpty, !closed {
            let (seconds, attoseconds) = timeout.components
            let deadline = Date(timeIntervalSinceNow: Double(seconds) + Double(attoseconds) / 1e18)
            while items.isEmpty, !closed, condition.wait(until: deadline) {}
        }
        return dequeue()
    }

    /// The next item if one is queued now (never waits); nil when none is, or once closed.
    public func popIfAny() -> StreamItem? {
        condition.lock()
        defer { condition.unlock() }
        return dequeue()
    }

    /// The first queued item, if it may be handed out (under `condition`).
    private func dequeue() -> StreamItem? {
        guard !closed || draining, let item = items.popFirst() else { return nil }
        if case .media(let message) = item, message.kind == .video, !message.isSequenceHeader { queuedVideo -= 1 }
        return item
    }

    /// Wakes the transcoder's thread and makes it stop.
    public func close() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Takes no more items; the worker still gets those queued, then nil (a recorder's last words).
    public func closeAfterQueued() {
        condition.lock()
        if !closed { draining = true }
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    public var droppedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }
}
