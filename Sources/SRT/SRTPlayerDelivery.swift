import Foundation
import RelayCore

/// What one SRT player is sent, as a state machine the player drives: the feed it plays and a
/// pending rung switch, waiting for a keyframe (at the start, after a full send buffer, after a
/// switch), the stall clock and the counts. Each event takes the send to use (the player's
/// socket, or a test's) and returns what the player must do. No socket, no lock: the player
/// holds its own lock around each event, so sends keep the order the events decide.
struct SRTPlayerDelivery {
    typealias Feed = SRTPlayer.Feed
    typealias Delivery = SRTPlayer.Delivery
    typealias Send = (TSChunk) -> SRTSocket.SendResult

    private(set) var active: Feed
    private(set) var pending: (feed: Feed, switchover: RungSwitchover)?
    private(set) var waitingForKeyframe = true
    private(set) var stalledSince: Date?
    private(set) var bytesSent = 0
    private(set) var skippedChunks = 0
    private(set) var keyframeSkips = 0
    private(set) var switches = 0
    let stallTimeout: TimeInterval

    init(active: Feed, stallTimeout: TimeInterval) {
        self.active = active
        self.stallTimeout = stallTimeout
    }

    /// A switch that became active: the player logs it.
    struct Switched: Equatable {
        let from: Feed
        let to: Feed
        let at: Int64?
    }

    // MARK: Switching (the epoll thread)

    /// Asks for `feed` to take over at a keyframe; returns the abandoned pending feed.
    mutating func prepareSwitch(to feed: Feed, now: Date, send: Send) -> Feed? {
        let abandoned = dropPending(now: now, send: send)
        pending = (feed, RungSwitchover(now: now))
        return abandoned == feed ? nil : abandoned
    }

    /// Abandons a pending switch older than `timeout`; returns its feed.
    mutating func abandonSwitch(olderThan timeout: TimeInterval, now: Date, send: Send) -> Feed? {
        guard let pending, now.timeIntervalSince(pending.switchover.startedAt) > timeout else { return nil }
        return dropPending(now: now, send: send)
    }

    /// Ends a pending switch (what the old rung had held back goes out); returns its feed.
    mutating func dropPending(now: Date, send: Send) -> Feed? {
        guard var pending else { return nil }
        self.pending = nil
        for chunk in pending.switchover.cancel() where !self.send(chunk, send, now) { break }
        return pending.feed
    }

    // MARK: Delivery (the playouts' muxing threads)

    /// One chunk of `feed`'s stream; `switched` is set when the pending rung took over.
    mutating func deliver(_ chunk: TSChunk, from feed: StreamKey, now: Date, send: Send, switched: inout Switched?) -> Delivery {
        if feed == active.key {
            guard var pending else { return self.send(chunk, send, now) ? .kept : .close }
            let action = pending.switchover.old(chunk, now: now)
            self.pending = pending
            switch action {
            case .send: return self.send(chunk, send, now) ? .kept : .close
            case .hold: return .kept
            case .release(let chunks): return chunks.allSatisfy { self.send($0, send, now) } ? .kept : .close
            case .switchNow(let chunks): return completeSwitch(chunks, send, now, &switched) ? .leave : .close
            }
        }
        guard var pending, feed == pending.feed.key else { return .leave }
        let action = pending.switchover.new(chunk, now: now)
        self.pending = pending
        switch action {
        case .keep: return .kept
        case .release(let chunks): return chunks.allSatisfy { self.send($0, send, now) } ? .kept : .close
        case .switchNow(let chunks): return completeSwitch(chunks, send, now, &switched) ? .kept : .close
        }
    }

    /// Makes the pending feed active and sends the new rung's first chunks (the first marked as
    /// a discontinuity); false when the player must be closed.
    private mutating func completeSwitch(_ chunks: [TSChunk], _ send: Send, _ now: Date, _ switched: inout Switched?) -> Bool {
        guard let pending else { return true }
        switched = Switched(from: active, to: pending.feed, at: chunks.first?.keyframeTime)
        self.pending = nil
        active = pending.feed
        switches += 1
        waitingForKeyframe = true
        for (index, chunk) in chunks.enumerated() where !self.send(index == 0 ? chunk.markingDiscontinuity() : chunk, send, now) {
            return false
        }
        return true
    }

    /// Sends one chunk of the active feed from a keyframe on; a full send buffer skips to the
    /// next keyframe, and one full for `stallTimeout` (or a failed send) closes the player.
    private mutating func send(_ chunk: TSChunk, _ send: Send, _ now: Date) -> Bool {
        if waitingForKeyframe {
            guard chunk.startsKeyframe else {
                skippedChunks += 1
                return true
            }
            waitingForKeyframe = false
        }
        switch send(chunk) {
        case .sent:
            stalledSince = nil
            bytesSent += chunk.bytes.count
            return true
        case .wouldBlock:
            waitingForKeyframe = true
            keyframeSkips += 1
            let since = stalledSince ?? now
            stalledSince = since
            return now.timeIntervalSince(since) < stallTimeout
        case .failed:
            return false
        }
    }
}
