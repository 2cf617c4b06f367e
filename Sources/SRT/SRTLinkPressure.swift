public import NIOCore
public import RelayCore

/// Turns libsrt's counters for one player's link, sampled about once a second, into what a
/// ``RenditionSelector`` reads: a backlog in milliseconds and the rate the link delivered.
///
/// - Backlog: the span of media in libsrt's send buffer beyond the link's shortest round trip
///   seen (a healthy link holds about one RTT of unacknowledged packets; a link that cannot
///   carry the rung holds more and more, and its queues lengthen the RTT itself, so the
///   current RTT is no baseline). Packets libsrt dropped as too late count as a full backlog.
/// - Throughput: bytes sent (retransmissions included) times the share not reported lost,
///   which on a saturated link is what the bottleneck passes.
///
/// Random loss that retransmission repairs adds about one RTT to the buffer and lowers the
/// throughput by the loss rate, so it does not push a player down rung by rung.
public struct SRTLinkPressure: Sendable {
    /// libsrt's cumulative counters at one instant.
    public struct Sample: Sendable, Equatable {
        public var rttMs: Double
        /// Span of media in the send buffer (msSndBuf).
        public var sendBufferMillis: Int
        /// Payload bytes sent, retransmissions included.
        public var bytesSent: Int64
        public var packetsSent: Int64
        /// Packets the receiver reported lost.
        public var packetsLost: Int64
        /// Packets the sender dropped as too late to play.
        public var packetsDropped: Int64

        public init(rttMs: Double, sendBufferMillis: Int, bytesSent: Int64, packetsSent: Int64, packetsLost: Int64, packetsDropped: Int64) {
            self.rttMs = rttMs
            self.sendBufferMillis = sendBufferMillis
            self.bytesSent = bytesSent
            self.packetsSent = packetsSent
            self.packetsLost = packetsLost
            self.packetsDropped = packetsDropped
        }
    }

    public struct Reading: Sendable, Equatable {
        public var backlogMillis: UInt32
        public var throughputKbps: Int?
    }

    /// The selector's thresholds for SRT: a step down once the buffer holds more than the
    /// latency budget beyond a round trip (the receiver is dropping late packets by then), calm
    /// at a third of it. Step-up timing is kept from `base`.
    public static func selectorConfiguration(latencyMs: Int, base: RenditionSelector.Configuration) -> RenditionSelector.Configuration {
        var configuration = base
        configuration.stepDownBacklogMillis = UInt32(max(latencyMs, 100))
        configuration.calmBacklogMillis = UInt32(max(latencyMs / 3, 40))
        return configuration
    }

    public let stepDownBacklogMillis: UInt32
    private var previous: (sample: Sample, at: NIODeadline)?
    /// The shortest RTT measured so far (libsrt reports 100 ms until it has measured one).
    private var minimumRttMs: Double?

    public init(stepDownBacklogMillis: UInt32) {
        self.stepDownBacklogMillis = stepDownBacklogMillis
    }

    /// Reads one sample; nil for the first one and while nothing was sent (no evidence).
    public mutating func read(_ sample: Sample, now: NIODeadline) -> Reading? {
        defer { previous = (sample, now) }
        guard let (last, at) = previous else { return nil }
        let baseline = min(minimumRttMs ?? sample.rttMs, sample.rttMs)
        minimumRttMs = baseline
        let seconds = Double((now - at).nanoseconds) / 1e9
        let sent = sample.packetsSent - last.packetsSent
        guard seconds > 0, sent > 0 else { return nil }
        let lost = min(max(sample.packetsLost - last.packetsLost, 0), sent)
        let delivered = Double(sample.bytesSent - last.bytesSent) * Double(sent - lost) / Double(sent)
        let throughput = Int(delivered * 8 / 1000 / seconds)
        var backlog = UInt32(clamping: max(sample.sendBufferMillis - Int(baseline.rounded()), 0))
        if sample.packetsDropped > last.packetsDropped { backlog = max(backlog, stepDownBacklogMillis + 1) }
        return Reading(backlogMillis: backlog, throughputKbps: throughput)
    }
}
