/// Reads a WebRTC viewer's RTCP feedback as the queue on its link, for the shared
/// ``RenditionSelector``: the round trip above the shortest one seen is the queueing delay
/// (a bottleneck's queue lengthens it), forced high while the viewer reports heavy loss;
/// the receiver's estimate (REMB) is the throughput.
struct WebRTCLinkPressure {
    private(set) var shortestRTTMs: Double?
    /// Loss above this share counts as a full queue.
    var heavyLoss = 0.08

    struct Reading: Equatable {
        var backlogMillis: UInt32
        var throughputKbps: Int?
    }

    mutating func read(rttMs: Double?, fractionLost: Double, estimatedBitrate: Int?, stepDownBacklogMillis: UInt32) -> Reading? {
        var backlog: Double?
        if let rttMs {
            let shortest = min(shortestRTTMs ?? rttMs, rttMs)
            shortestRTTMs = shortest
            backlog = rttMs - shortest
        }
        if fractionLost > heavyLoss { backlog = Double(stepDownBacklogMillis) + 1 }
        guard let backlog else { return nil }
        return Reading(backlogMillis: UInt32(max(0, min(backlog, 60_000))), throughputKbps: estimatedBitrate.map { $0 / 1000 })
    }
}
