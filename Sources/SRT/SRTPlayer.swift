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
    private let logger: Logger
    private let onClose: @Sendable (SRTPlayer) -> Void
    /// The rung choice (adaptive players only); used on the epoll thread only.
    var rungChoice: SRTRungChoice?
    /// The class whose program a player of the plain name follows while its stage is not empty:
    /// set for every player of a plain name (adaptive or not, so one whose downlink is unknown
    /// gets the program too); used on the epoll thread only.
    var followedSource: StreamKey?

    /// What the player is sent (feed, switch, keyframe wait, stall, counts), under the player's
    /// lock: the muxing threads of its active and pending feeds and the epoll thread (switches)
    /// each send under it, so chunks go out in the order decided. What others read often (the
    /// feeds, the counts for the live view) is mirrored outside it, so no reader waits on a send.
    private let delivery: NIOLockedValueBox<SRTPlayerDelivery>
    private let published: NIOLockedValueBox<Published>

    private struct Published {
        var active: Feed
        var pending: Feed?
        var bytesSent = 0
        var keyframeSkips = 0
        var switches = 0
    }

    init(
        socket: SRTSocket, admitted: SRTAdmission.Admitted, initial: Feed, stallTimeout: TimeInterval, logger: Logger,
        onClose: @escaping @Sendable (SRTPlayer) -> Void
    ) {
        self.socket = socket
        self.named = admitted.streamID.playedStream
        self.schoolId = admitted.grant.schoolId
        self.logger = logger
        self.onClose = onClose
        self.delivery = NIOLockedValueBox(SRTPlayerDelivery(active: initial, stallTimeout: stallTimeout))
        self.published = NIOLockedValueBox(Published(active: initial))
    }

    /// The stream feeding the player now.
    var active: Feed { published.withLockedValue { $0.active } }

    /// The feeds the player belongs to: the active one and a pending switch's.
    var feeds: (active: Feed, pending: Feed?) { published.withLockedValue { ($0.active, $0.pending) } }

    /// Runs one event of the delivery state machine with the socket's send, then publishes what
    /// it changed (inside the player's lock, so the mirror never goes back in time).
    private func withDelivery<Result>(_ body: (inout SRTPlayerDelivery, SRTPlayerDelivery.Send) -> Result) -> Result {
        let socket = self.socket
        return delivery.withLockedValue { delivery in
            let result = body(&delivery) { chunk in chunk.bytes.withUnsafeBytes { socket.send($0) } }
            let snapshot = Published(
                active: delivery.active, pending: delivery.pending?.feed, bytesSent: delivery.bytesSent,
                keyframeSkips: delivery.keyframeSkips, switches: delivery.switches
            )
            published.withLockedValue { $0 = snapshot }
            return result
        }
    }

    // MARK: Switching (epoll thread)

    /// Asks for `feed` to take over at a keyframe; returns the abandoned pending feed.
    func prepareSwitch(to feed: Feed) -> Feed? {
        withDelivery { $0.prepareSwitch(to: feed, now: Date(), send: $1) }
    }

    /// Abandons a pending switch older than `timeout`; returns its feed.
    func abandonSwitch(olderThan timeout: TimeInterval) -> Feed? {
        withDelivery { $0.abandonSwitch(olderThan: timeout, now: Date(), send: $1) }
    }

    /// Abandons a pending switch; returns its feed.
    func cancelSwitch() -> Feed? {
        withDelivery { $0.dropPending(now: Date(), send: $1) }
    }

    // MARK: Delivery (on the playouts' muxing threads)

    /// Hands the player one chunk of `feed`'s stream.
    func deliver(_ chunk: TSChunk, from feed: StreamKey) -> Delivery {
        var switched: SRTPlayerDelivery.Switched?
        let outcome = withDelivery { $0.deliver(chunk, from: feed, now: Date(), send: $1, switched: &switched) }
        if let switched {
            logger.info(
                "srt rung switched",
                metadata: [
                    "stream": "\(named)", "remote": "\(socket.remote)", "from": "\(switched.from.rendition)",
                    "to": "\(switched.to.rendition)", "at": "\(switched.at ?? -1)",
                ])
        }
        return outcome
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
        let (bytes, skips, rendition) = published.withLockedValue { ($0.bytesSent, $0.keyframeSkips, $0.active.rendition) }
        let seconds = max(Date().timeIntervalSince(since), 0.001)
        let link = socket.statistics().map {
            LinkStats(
                rttMs: $0.rttMs, lossPercent: $0.sendLossPercent, sendMbps: $0.sendMbps, sendBufferMs: $0.sendBufferMillis
            )
        }
        return ViewerSnapshot(
            schoolId: schoolId, transport: .srt, rendition: rendition, since: since, bytesSent: bytes,
            sendKbps: Int(Double(bytes) * 8 / 1000 / seconds), gopDrops: skips, link: link
        )
    }

    func close(reason: String) {
        let statistics = socket.statistics()
        guard socket.close(beforeClosing: { onClose(self) }) else { return }
        let (bytes, skips, switches, rendition) = published.withLockedValue { ($0.bytesSent, $0.keyframeSkips, $0.switches, $0.active.rendition) }
        logger.info(
            "srt player closed",
            metadata: [
                "stream": "\(named)", "rendition": "\(rendition)", "remote": "\(socket.remote)", "reason": "\(reason)",
                "bytesSent": "\(bytes)", "skippedToKeyframe": "\(skips)", "rungSwitches": "\(switches)",
                "srt": "\(statistics.map { "\($0)" } ?? "-")",
            ])
    }
}
