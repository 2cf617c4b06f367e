import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayCore

/// One SRT player: gets its stream's shared MPEG-TS chunks, starting at a keyframe.
///
/// Sends never wait: when libsrt's send buffer is full the player skips to the next keyframe,
/// and one that has accepted nothing for the stall timeout is closed, so it never holds up
/// the stream's other players.
///
/// An adaptive player moves between the rungs of its source: it joins the new rung's playout
/// as pending and a ``RungSwitchover`` picks the keyframe instant where the new rung takes over.
final class SRTPlayer: SRTPeer, @unchecked Sendable {
    /// What a playout does with a player after handing it a chunk.
    enum Delivery { case kept, leave, close }

    /// A stream the player gets chunks from.
    struct Feed: Equatable, Sendable {
        let key: StreamKey
        /// `source` or a rung name.
        let rendition: String
    }

    let socket: SRTSocket
    /// The stream named in the streamid (an adaptive player's source).
    let named: StreamKey
    let schoolId: String?
    let since = Date()
    private let stallTimeout: TimeInterval
    private let logger: Logger
    private let onClose: @Sendable (SRTPlayer) -> Void
    /// The rung choice (adaptive players only); used on the epoll thread only.
    var rungChoice: SRTRungChoice?

    private struct State {
        var active: Feed
        var pending: (feed: Feed, switchover: RungSwitchover)?
        var waitingForKeyframe = true
        var stalledSince: Date?
        var bytesSent = 0
        var skippedChunks = 0
        var keyframeSkips = 0
        var switches = 0
    }
    private let state: NIOLockedValueBox<State>

    init(
        socket: SRTSocket, admitted: SRTAdmission.Admitted, initial: Feed, stallTimeout: TimeInterval, logger: Logger,
        onClose: @escaping @Sendable (SRTPlayer) -> Void
    ) {
        self.socket = socket
        self.named = admitted.streamID.playedStream
        self.schoolId = admitted.grant.schoolId
        self.stallTimeout = stallTimeout
        self.logger = logger
        self.onClose = onClose
        self.state = NIOLockedValueBox(State(active: initial))
    }

    /// The stream feeding the player now.
    var active: Feed { state.withLockedValue { $0.active } }

    /// The feeds the player belongs to: the active one and a pending switch's.
    var feeds: (active: Feed, pending: Feed?) { state.withLockedValue { ($0.active, $0.pending?.feed) } }

    // MARK: Switching (epoll thread)

    /// Asks for `feed` to take over at a keyframe; returns the abandoned pending feed.
    func prepareSwitch(to feed: Feed) -> Feed? {
        state.withLockedValue { state in
            let abandoned = dropPending(&state)
            state.pending = (feed, RungSwitchover(now: Date()))
            return abandoned == feed ? nil : abandoned
        }
    }

    /// Abandons a pending switch older than `timeout`; returns its feed.
    func abandonSwitch(olderThan timeout: TimeInterval) -> Feed? {
        state.withLockedValue { state in
            guard let pending = state.pending, Date().timeIntervalSince(pending.switchover.startedAt) > timeout else { return nil }
            return dropPending(&state)
        }
    }

    /// Abandons a pending switch; returns its feed.
    func cancelSwitch() -> Feed? {
        state.withLockedValue { dropPending(&$0) }
    }

    /// Ends a pending switch; what the old rung had held back goes out.
    private func dropPending(_ state: inout State) -> Feed? {
        guard var pending = state.pending else { return nil }
        state.pending = nil
        for chunk in pending.switchover.cancel() where !send(chunk, &state) { break }
        return pending.feed
    }

    // MARK: Delivery (on the playouts' muxing threads)

    /// Hands the player one chunk of `feed`'s stream.
    func deliver(_ chunk: TSChunk, from feed: StreamKey) -> Delivery {
        state.withLockedValue { state -> Delivery in
            let now = Date()
            if feed == state.active.key {
                guard var pending = state.pending else { return send(chunk, &state) ? .kept : .close }
                let action = pending.switchover.old(chunk, now: now)
                state.pending = pending
                switch action {
                case .send: return send(chunk, &state) ? .kept : .close
                case .hold: return .kept
                case .release(let chunks): return chunks.allSatisfy { send($0, &state) } ? .kept : .close
                case .switchNow(let chunks): return completeSwitch(chunks, &state) ? .leave : .close
                }
            }
            guard var pending = state.pending, feed == pending.feed.key else { return .leave }
            let action = pending.switchover.new(chunk, now: now)
            state.pending = pending
            switch action {
            case .keep: return .kept
            case .release(let chunks): return chunks.allSatisfy { send($0, &state) } ? .kept : .close
            case .switchNow(let chunks): return completeSwitch(chunks, &state) ? .kept : .close
            }
        }
    }

    /// Makes the pending feed active and sends the new rung's first chunks; false when the
    /// player must be closed.
    private func completeSwitch(_ chunks: [TSChunk], _ state: inout State) -> Bool {
        guard let pending = state.pending else { return true }
        let old = state.active
        state.pending = nil
        state.active = pending.feed
        state.switches += 1
        state.waitingForKeyframe = true
        logger.info("srt rung switched", metadata: [
            "stream": "\(named)", "remote": "\(socket.remote)", "from": "\(old.rendition)", "to": "\(pending.feed.rendition)",
            "at": "\(chunks.first?.keyframeTime ?? -1)",
        ])
        for (index, chunk) in chunks.enumerated() where !send(index == 0 ? chunk.markingDiscontinuity() : chunk, &state) {
            return false
        }
        return true
    }

    /// Sends one chunk of the active feed; false when the player must be closed.
    private func send(_ chunk: TSChunk, _ state: inout State) -> Bool {
        if state.waitingForKeyframe {
            guard chunk.startsKeyframe else {
                state.skippedChunks += 1
                return true
            }
            state.waitingForKeyframe = false
        }
        switch chunk.bytes.withUnsafeBytes({ socket.send($0) }) {
        case .sent:
            state.stalledSince = nil
            state.bytesSent += chunk.bytes.count
            return true
        case .wouldBlock:
            state.waitingForKeyframe = true
            state.keyframeSkips += 1
            let now = Date()
            let since = state.stalledSince ?? now
            state.stalledSince = since
            return now.timeIntervalSince(since) < stallTimeout
        case .failed:
            return false
        }
    }

    /// Sends one MPEG-TS null packet (see ``SRTEventLoop/playerStartDelay``); a full send buffer
    /// is no matter here.
    func primeLink() {
        _ = TSChunk.nullPacket.withUnsafeBytes { socket.send($0) }
    }

    /// Players send nothing the relay needs; drain whatever arrives.
    func readable() {
        var buffer = [UInt8](repeating: 0, count: 1500)
        for _ in 0..<64 {
            switch buffer.withUnsafeMutableBytes({ socket.receive(into: $0) }) {
            case .bytes: continue
            case .wouldBlock: return
            case .failed(let error):
                close(reason: "connection lost: \(error.message)")
                return
            }
        }
    }

    var viewerSnapshot: ViewerSnapshot {
        let (bytes, skips, rendition) = state.withLockedValue { ($0.bytesSent, $0.keyframeSkips, $0.active.rendition) }
        let seconds = max(Date().timeIntervalSince(since), 0.001)
        let link = socket.statistics().map { LinkStats(
            rttMs: $0.rttMs, lossPercent: $0.sendLossPercent, sendMbps: $0.sendMbps, sendBufferMs: $0.sendBufferMillis
        ) }
        return ViewerSnapshot(
            schoolId: schoolId, transport: .srt, rendition: rendition, since: since, bytesSent: bytes,
            sendKbps: Int(Double(bytes) * 8 / 1000 / seconds), gopDrops: skips, link: link
        )
    }

    func close(reason: String) {
        let statistics = socket.statistics()
        guard socket.close(beforeClosing: { onClose(self) }) else { return }
        let (bytes, skips, switches, rendition) = state.withLockedValue { ($0.bytesSent, $0.keyframeSkips, $0.switches, $0.active.rendition) }
        logger.info("srt player closed", metadata: [
            "stream": "\(named)", "rendition": "\(rendition)", "remote": "\(socket.remote)", "reason": "\(reason)",
            "bytesSent": "\(bytes)", "skippedToKeyframe": "\(skips)", "rungSwitches": "\(switches)",
            "srt": "\(statistics.map { "\($0)" } ?? "-")",
        ])
    }
}
