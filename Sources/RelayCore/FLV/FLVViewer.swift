public import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// One HTTP-FLV player: a subscriber of the stream with a bounded queue (``PlayerQueue``: it
/// starts at a keyframe and, when the player falls behind, loses media up to the next keyframe)
/// that the HTTP response drains asynchronously. The publisher never waits for it.
///
/// Why a continuation and not the ``MediaInbox``-and-thread hand-off the workers use: the
/// consumer is the HTTP response's body writer, which awaits each write (backpressure from the
/// socket), so it is a task already; parking that task on a continuation holds no thread while
/// the player waits, where a thread per HTTP-FLV player would cost one per viewer. Nothing
/// blocking runs on the consumer's side (it only frames and writes).
public final class FLVViewer: StreamSubscriber, ViewerReporting, Sendable {
    private struct State {
        var queue: PlayerQueue
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
        var bytesSent = 0
        var newestTimestamp: UInt32 = 0
    }
    private let state: NIOLockedValueBox<State>
    public let schoolId: String?
    public let rendition: String
    public let since = Date()

    public init(schoolId: String?, rendition: String, limits: PlayerQueue.Limits = .init()) {
        self.schoolId = schoolId
        self.rendition = rendition
        state = NIOLockedValueBox(State(queue: PlayerQueue(limits: limits, initialCapacity: 256)))
    }

    public var wantsFLVFraming: Bool { true }
    public var mixMinusSite: String? { schoolId }

    /// Called under the stream's lock: queue, wake the response, return.
    public func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.closed, state.queue.push(item, streamHasVideo: streamHasVideo) else { return nil }
            if case .media(let message) = item { state.newestTimestamp = message.timestamp }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything queued, waiting up to `timeout` for something; nil once closed. Empty after a
    /// timeout with nothing queued.
    public func next(timeout: Duration) async -> [StreamItem]? {
        if let ready = take() { return ready }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLockedValue { state -> Bool in
                        if state.closed || !state.queue.isEmpty { return true }
                        state.waiter?.resume()
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            group.addTask { [self] in
                try? await Task.sleep(for: timeout)
                wake()
            }
            await group.next()
            wake()
            group.cancelAll()
        }
        return take() ?? (isClosed ? nil : [])
    }

    private func take() -> [StreamItem]? {
        state.withLockedValue { state -> [StreamItem]? in
            if state.closed { return nil }
            guard !state.queue.isEmpty else { return nil }
            var drained = CircularBuffer<StreamItem>()
            state.queue.drain(into: &drained)
            return Array(drained)
        }.flatMap { $0.isEmpty ? nil : $0 }
    }

    private var isClosed: Bool { state.withLockedValue { $0.closed } }

    private func wake() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Stops deliveries and wakes the response (the player left, or the stream ended).
    public func close() {
        state.withLockedValue { $0.closed = true }
        wake()
    }

    public func countSent(_ bytes: Int) {
        state.withLockedValue { $0.bytesSent += bytes }
    }

    /// Bytes written to the response so far.
    public var bytesSent: Int { state.withLockedValue { $0.bytesSent } }

    /// Queued media time in milliseconds (the player's backlog inside the relay).
    public var backlogMillis: UInt32 {
        state.withLockedValue { $0.queue.backlogMillis(newest: $0.newestTimestamp) }
    }

    public var viewerSnapshot: ViewerSnapshot {
        let (bytes, overflows) = state.withLockedValue { ($0.bytesSent, $0.queue.overflows) }
        let seconds = max(Date().timeIntervalSince(since), 0.001)
        return ViewerSnapshot(
            schoolId: schoolId, transport: .flv, rendition: rendition, since: since, bytesSent: bytes,
            sendKbps: Int(Double(bytes) * 8 / 1000 / seconds), gopDrops: overflows
        )
    }
}
