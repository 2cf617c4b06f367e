/// One feed's recent video packets, kept once for every viewer of the feed so any viewer's NACK
/// is answered from here: a viewer keeps only which of its sequence numbers carried which of
/// these packets (`SentVideoRuns`). Lives on the event loop with the feed's fan-out.
final class StreamRetransmissions {
    private var ring: RetransmissionRing

    /// `capacity` packets (a power of two): 1024 is about 5 s of a 2 Mbit/s rung, enough for the
    /// cached group of pictures a new viewer starts on, and 1.2 MB of shared payloads at most.
    init(capacity: Int = 1024) {
        ring = RetransmissionRing(capacity: capacity)
    }

    /// Stores a video frame's packets; returns the frame with the index of its first packet.
    func record(_ frame: RTPFrame) -> RTPFrame {
        guard frame.track == .video else { return frame }
        var indexed = frame
        indexed.firstPacketIndex = ring.nextIndex
        for payload in frame.payloads { ring.append(payload, timestamp: frame.timestamp) }
        return indexed
    }

    /// The packet with stream packet `index`, nil once it was overwritten.
    func entry(atIndex index: UInt64) -> RetransmissionRing.Entry? { ring.entry(atIndex: index) }
}

@available(*, unavailable)
extension StreamRetransmissions: Sendable {}
