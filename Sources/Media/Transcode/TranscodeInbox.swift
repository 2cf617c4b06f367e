import Foundation
import NIOCore
import RelayCore

/// What a transcoder is handed by its source stream: a bounded queue filled under the stream's
/// lock (never blocking) and emptied by the transcoder's thread. When the transcoder falls more
/// than `maxVideoFrames` behind, source video is dropped up to the next keyframe (counted).
final class TranscodeInbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var items = CircularBuffer<StreamItem>(initialCapacity: 256)
    private var queuedVideo = 0
    private var droppingVideo = false
    private var closed = false
    private let maxVideoFrames: Int
    private let maxItems: Int
    /// Source video frames dropped because the transcoder fell behind.
    private(set) var dropped = 0

    init(maxVideoFrames: Int) {
        self.maxVideoFrames = maxVideoFrames
        self.maxItems = maxVideoFrames * 4 + 64
    }

    func push(_ item: StreamItem) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        if case .media(let message) = item, message.kind == .video, !message.isSequenceHeader {
            if message.isKeyframe, queuedVideo < maxVideoFrames { droppingVideo = false }
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

    /// The next item, waiting for one; nil once closed.
    func pop() -> StreamItem? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty, !closed { condition.wait() }
        guard !closed, let item = items.popFirst() else { return nil }
        if case .media(let message) = item, message.kind == .video, !message.isSequenceHeader { queuedVideo -= 1 }
        return item
    }

    /// Wakes the transcoder's thread and makes it stop.
    func close() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    var droppedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return dropped
    }
}
