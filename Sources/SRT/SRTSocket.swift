internal import CSRT
import Foundation
import NIOConcurrencyHelpers
import Synchronization

/// Owns one connected SRT socket (an id in libsrt's table): non-blocking send and receive,
/// statistics, and one close. libsrt calls on it are thread-safe; `close()` is idempotent.
final class SRTSocket: Sendable {
    enum SendResult { case sent, wouldBlock, failed(SRTError) }
    enum ReceiveResult { case bytes(Int), wouldBlock, failed(SRTError) }

    let id: SRTSOCKET
    let remote: String
    private let closed = Atomic<Bool>(false)
    private let lastStatistics = NIOLockedValueBox<SRTLinkStatistics?>(nil)

    init(id: SRTSOCKET, remote: String) {
        self.id = id
        self.remote = remote
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// Sends one message (≤ 1316 bytes) without waiting.
    func send(_ bytes: UnsafeRawBufferPointer) -> SendResult {
        guard let base = bytes.baseAddress else { return .sent }
        let result = srt_sendmsg2(id, base.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        if result != SRT_ERROR { return .sent }
        let error = SRTError.last("srt_sendmsg2")
        return error.code == csrt_EASYNCSND() ? .wouldBlock : .failed(error)
    }

    /// Receives one message into `buffer` without waiting.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> ReceiveResult {
        let result = srt_recvmsg(id, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(buffer.count))
        if result != SRT_ERROR { return .bytes(Int(result)) }
        let error = SRTError.last("srt_recvmsg")
        return error.code == csrt_EASYNCRCV() ? .wouldBlock : .failed(error)
    }

    /// libsrt's counters for this link, or the last ones read while it was up (libsrt has
    /// none for a broken link); the event loop reads them every second.
    @discardableResult
    func statistics() -> SRTLinkStatistics? {
        var perf = SRT_TRACEBSTATS()
        guard srt_bstats(id, &perf, 0) != SRT_ERROR else { return lastStatistics.withLockedValue { $0 } }
        let statistics = SRTLinkStatistics(perf)
        lastStatistics.withLockedValue { $0 = statistics }
        return statistics
    }

    /// Closes the socket; true only for the call that closed it.
    /// `beforeClosing` runs once, just before the socket is closed (to unregister it).
    @discardableResult
    func close(beforeClosing: () -> Void = {}) -> Bool {
        guard closed.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        beforeClosing()
        srt_close(id)
        return true
    }

    deinit {
        if !closed.load(ordering: .relaxed) { srt_close(id) }
    }
}

/// What libsrt measured on one link (a subset of SRT_TRACEBSTATS).
struct SRTLinkStatistics: Sendable, CustomStringConvertible {
    var rttMs: Double
    var sendMbps: Double
    var receiveMbps: Double
    var packetsSent: Int64
    var packetsReceived: Int64
    var sendLoss: Int64
    var receiveLoss: Int64
    var retransmitted: Int64
    var sendDrops: Int64
    var receiveDrops: Int64
    var sendBufferMillis: Int
    var bytesSent: Int64

    init(_ perf: SRT_TRACEBSTATS) {
        rttMs = perf.msRTT
        sendMbps = perf.mbpsSendRate
        receiveMbps = perf.mbpsRecvRate
        packetsSent = perf.pktSentTotal
        packetsReceived = perf.pktRecvTotal
        sendLoss = Int64(perf.pktSndLossTotal)
        receiveLoss = Int64(perf.pktRcvLossTotal)
        retransmitted = Int64(perf.pktRetransTotal)
        sendDrops = Int64(perf.pktSndDropTotal)
        receiveDrops = Int64(perf.pktRcvDropTotal)
        sendBufferMillis = Int(perf.msSndBuf)
        bytesSent = Int64(perf.byteSentTotal)
    }

    /// What the rendition choice reads.
    var pressureSample: SRTLinkPressure.Sample {
        .init(
            rttMs: rttMs, sendBufferMillis: sendBufferMillis, bytesSent: bytesSent, packetsSent: packetsSent,
            packetsLost: sendLoss, packetsDropped: sendDrops
        )
    }

    /// Lost packets as a percentage of packets sent (for players).
    var sendLossPercent: Double {
        packetsSent > 0 ? Double(sendLoss) * 100 / Double(packetsSent) : 0
    }

    var description: String {
        String(
            format:
                "rtt=%.1fms sndbuf=%dms sent=%lld recv=%lld lost(snd/rcv)=%lld/%lld retrans=%lld dropped(snd/rcv)=%lld/%lld rate(snd/rcv)=%.2f/%.2fMbps",
            rttMs, sendBufferMillis, packetsSent, packetsReceived, sendLoss, receiveLoss, retransmitted, sendDrops, receiveDrops, sendMbps,
            receiveMbps
        )
    }
}
