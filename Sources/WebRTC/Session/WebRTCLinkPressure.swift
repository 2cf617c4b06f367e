import NIOCore

/// Reads a WebRTC viewer's RTCP feedback as the queue on its link, for the shared
/// ``RenditionSelector``: the round trip above the shortest one seen is the queueing delay
/// (a bottleneck's queue lengthens it), forced high while the viewer reports heavy loss;
/// the receiver's estimate (REMB) is the throughput; without one, under heavy loss, what was
/// sent times the share that arrived is (so the selector jumps to the rung that fits at once
/// instead of stepping down one rung per settle period).
///
/// The estimate also counts as a full queue when it has fallen: below `lowEstimateShare` of what
/// was sent and below `fallenEstimateShare` of its own highest since the last rung change, for
/// `lowEstimateReadings` readings in a row. Behind a bottleneck with a short queue (a `tbf` of
/// 400 ms) the round trip hardly grows and Chromium may report no loss for seconds, but its
/// estimate drops within one (2.7 Mbit/s to 440 kbit/s), whether or not it had yet climbed to
/// what was sent. Not read this way: an estimate still climbing (a session's first seconds, from
/// Chromium's 300 kbit/s start; the seconds after a step up), or one that stayed where it was while
/// the picture's rate jumped (slides, then motion).
struct WebRTCLinkPressure {
    private(set) var shortestRTTMs: Double?
    /// Bytes sent at the previous reading, and when.
    private var previousSent: (bytes: Int, at: NIODeadline)?
    /// Loss above this share counts as a full queue.
    var heavyLoss = 0.08
    /// An estimate below this share of what was sent is low...
    var lowEstimateShare = 0.7
    /// ...when it is also below this share of its highest since the last rung change.
    var fallenEstimateShare = 0.5
    /// Low estimates in a row that count as a full queue.
    var lowEstimateReadings = 2
    /// The highest estimate since the last rung change.
    private var highestEstimateKbps = 0
    private var lowEstimatesInARow = 0

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
        if estimateIsLow(throughput, sentKbps: sentKbps) { backlog = Double(stepDownBacklogMillis) + 1 }
        if fractionLost > heavyLoss {
            backlog = Double(stepDownBacklogMillis) + 1
            if throughput == nil, let sentKbps, sentKbps > 0 { throughput = Int(sentKbps * (1 - fractionLost)) }
        }
        guard let backlog else { return nil }
        return Reading(backlogMillis: UInt32(max(0, min(backlog, 60_000))), throughputKbps: throughput)
    }

    /// The viewer moves to another rung: what it is sent changes, and a fall is measured from the
    /// estimate's highest after the change.
    mutating func rungChanged() {
        highestEstimateKbps = 0
        lowEstimatesInARow = 0
    }

    private mutating func estimateIsLow(_ estimateKbps: Int?, sentKbps: Double?) -> Bool {
        guard let estimateKbps, let sentKbps, sentKbps > 0 else { return false }
        highestEstimateKbps = max(highestEstimateKbps, estimateKbps)
        let estimate = Double(estimateKbps)
        guard estimate < sentKbps * lowEstimateShare, estimate < Double(highestEstimateKbps) * fallenEstimateShare else {
            lowEstimatesInARow = 0
            return false
        }
        lowEstimatesInARow += 1
        return lowEstimatesInARow >= lowEstimateReadings
    }
}
