import NIOCore

/// Puts one RTP stream's packets back in sequence order (a WHIP publisher's uplink reorders and
/// loses): packets come out in order as soon as nothing before them is missing; a missing packet
/// is waited for (its NACK answered) up to ``maxDelay``, then skipped, so the depacketizer sees
/// the gap and the frame is marked damaged.
///
/// Sans I/O: time comes in with each call.
struct RTPReorderBuffer {
    /// The longest a packet waits for one missing before it.
    let maxDelay: TimeAmount
    /// Packets held at most (a jump further than this restarts the sequence).
    let capacity: Int
    /// The sequence number expected next; nil before the first packet.
    private(set) var next: UInt16?
    private var held: [UInt16: (packet: RTPPacket, arrival: NIODeadline)] = [:]
    /// Missing sequence numbers: how often and when each was last asked for.
    private var requested: [UInt16: (count: Int, at: NIODeadline)] = [:]
    private(set) var skipped = 0
    private(set) var late = 0

    init(maxDelay: TimeAmount = .milliseconds(150), capacity: Int = 1024) {
        self.maxDelay = maxDelay
        self.capacity = capacity
    }

    var heldCount: Int { held.count }

    /// Adds a packet; returns the packets now in order.
    mutating func insert(_ packet: RTPPacket, now: NIODeadline) -> [RTPPacket] {
        let sequence = packet.header.sequenceNumber
        guard let expected = next else {
            next = sequence &+ 1
            return [packet]
        }
        let distance = Int(Int16(bitPattern: sequence &- expected))
        if distance < 0 {
            // Before the next expected: a duplicate, or a retransmission that came after its skip.
            if distance > -capacity {
                late += 1
                return []
            }
            return restart(at: packet, now: now)
        }
        if distance >= capacity { return restart(at: packet, now: now) }
        requested[sequence] = nil
        if distance == 0 {
            self.next = sequence &+ 1
            return [packet] + drain()
        }
        if held[sequence] == nil { held[sequence] = (packet, now) }
        return []
    }

    /// The missing sequence numbers to ask for now: each at most `maxRequests` times, and again
    /// only `retryAfter` after the last request (a sender ignores repeats within a round trip,
    /// and a lost retransmission needs a new request).
    mutating func missing(now: NIODeadline, maxRequests: Int = 3, retryAfter: TimeAmount = .milliseconds(30)) -> [UInt16] {
        guard let next, !held.isEmpty else { return [] }
        let highest = held.keys.max { Int16(bitPattern: $0 &- next) < Int16(bitPattern: $1 &- next) } ?? next
        var lost: [UInt16] = []
        var sequence = next
        while sequence != highest, lost.count < 256 {
            if held[sequence] == nil {
                let previous = requested[sequence]
                if (previous?.count ?? 0) < maxRequests, previous.map({ now - $0.at >= retryAfter }) ?? true {
                    requested[sequence] = ((previous?.count ?? 0) + 1, now)
                    lost.append(sequence)
                }
            }
            sequence &+= 1
        }
        return lost
    }

    /// Gives up on what is missing before packets that waited longer than ``maxDelay``; returns
    /// the packets that come out.
    mutating func release(now: NIODeadline) -> [RTPPacket] {
        guard let next, let oldest = held.values.map(\.arrival).min(), now - oldest >= maxDelay else { return [] }
        // Skip to the first packet held.
        let first = held.keys.min { Int16(bitPattern: $0 &- next) < Int16(bitPattern: $1 &- next) }!
        skipped += Int(Int16(bitPattern: first &- next))
        for sequence in requested.keys where Int16(bitPattern: sequence &- first) < 0 { requested[sequence] = nil }
        self.next = first
        return drain()
    }

    private mutating func drain() -> [RTPPacket] {
        var out: [RTPPacket] = []
        while let expected = next, let entry = held.removeValue(forKey: expected) {
            out.append(entry.packet)
            next = expected &+ 1
        }
        return out
    }

    /// The publisher jumped (a restart): what is held comes out in order, then this packet.
    private mutating func restart(at packet: RTPPacket, now: NIODeadline) -> [RTPPacket] {
        var out: [RTPPacket] = []
        while !held.isEmpty { out += release(now: now + maxDelay) }
        requested = [:]
        next = packet.header.sequenceNumber &+ 1
        return out + [packet]
    }
}
