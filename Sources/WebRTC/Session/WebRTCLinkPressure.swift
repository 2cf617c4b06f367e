import NIOCore

/// Reads a WebRTC viewer's RTCP feedback as the queue on its link, for the shared
/// ``RenditionSelector``: the round trip above the shortest one seen is the queueing delay
/// (a bottleneck's queue lengthens it), forced high while the viewer reports heavy loss;
/// the receiver's estimate (REMB) is the throughput; without one, under heavy loss, what was
/// sent times the share that arrived is (so the selector jumps to the rung that fits at once
/// instead of stepping down one rung per settle period).
struct WebRTCLinkPressure {
    private(set) var shortestRTTMs: Double?
    /// Bytes sent at the previous reading, and when.
    private var previousSent: (bytes: Int, at: NIODeadline)?
    /// Loss above this share counts as a full queue.
    var heavyLoss = 0.08

    struct Reading: Equatable {
        var backlogMillis: UInt32
        var throughputKbps: Int?
    }

    mutating func read(
        rttMs: Double?, fractionLost: Double, estimatedBitrate: Int?, stepDownBacklogMillis: UInt32, bytesSent: Int, now: NIODeadline
    ) -> Reading? {
        var sentKbps: Double?
        if let previousSent, now > previousSent.at {
            sentKbps = Double(bytesSent - previousSent.bytes) * 8 / 1000 / (Double((now - previousSent.at).nanoseconds) / 1e9)
        }
        previousSent = (bytesSent, now)
        var backlog: Double?
        if let rttMs {
            let shortest = min(shortestRTTMs ?? rttMs, rttMs)
            shortestRTTMs = shortest
            backlog = rttMs - shortest
        }
        var throughput = estimatedBitrate.map { $0 / 1000 }
        if fractionLost > heavyLoss {
            backlog = Double(stepDownBacklogMillis) + 1
            if throughput == nil, let sentKbps, sentKbps > 0 { throughput = Int(sentKbps * (1 - fractionLost)) }
        }
        guard let backlog else { return nil }
        return Reading(backlogMillis: UInt32(max(0, min(backlog, 60_000))), throughputKbps: throughput)
    }
}
