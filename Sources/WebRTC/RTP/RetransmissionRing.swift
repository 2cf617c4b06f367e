/// The last `capacity` packets of one stream, so a NACK from any viewer is answered from this
/// one ring instead of a copy per viewer.
///
/// Packets are numbered by a 64-bit stream packet index whose low 16 bits are the RTP sequence
/// number: `append` assigns the next one, `insert(sequence:...)` extends a 16-bit sequence
/// number relative to the newest (for a ring kept in a viewer's own sequence space). Slots are preallocated: once full, an append
/// overwrites the oldest slot and allocates nothing. A value type: the stream owns it under
/// the same lock (or event loop) as its fan-out, and viewers look up through that owner.
struct RetransmissionRing: Sendable {
    /// One stored packet.
    struct Entry: Sendable, Equatable {
        var index: UInt64
        var payload: RTPPayload
        /// The stream's RTP timestamp of the packet.
        var timestamp: UInt32

        /// The stream's RTP sequence number of the packet.
        var sequenceNumber: UInt16 { UInt16(truncatingIfNeeded: index) }
    }

    /// Slots: a power of two, 1...32768 (at most half the sequence space, so a sequence number
    /// ahead of the newest is never mistaken for an old one).
    let capacity: Int
    private let mask: UInt64
    private var slots: [Entry?]
    /// The index the next `append` assigns.
    private(set) var nextIndex: UInt64

    /// `capacity` is rounded up to a power of two (and clamped to 1...32768).
    /// `firstIndex` sets the first packet's index, so the stream's first sequence number.
    init(capacity: Int = 1024, firstIndex: UInt64 = 0) {
        let clamped = min(max(capacity, 1), 32768)
        var rounded = 1
        while rounded < clamped { rounded <<= 1 }
        self.capacity = rounded
        self.mask = UInt64(rounded - 1)
        self.slots = Array(repeating: nil, count: rounded)
        self.nextIndex = firstIndex
    }

    /// Index of the newest packet, nil while empty.
    var newestIndex: UInt64? {
        guard let newest = slots[Int((nextIndex &- 1) & mask)], newest.index == nextIndex &- 1 else { return nil }
        return newest.index
    }

    /// Stores the next packet of the stream; returns its index (its sequence number is the
    /// low 16 bits).
    @discardableResult
    mutating func append(_ payload: RTPPayload, timestamp: UInt32) -> UInt64 {
        let index = nextIndex
        slots[Int(index & mask)] = Entry(index: index, payload: payload, timestamp: timestamp)
        nextIndex = index &+ 1
        return index
    }

    /// Stores a packet under its 16-bit sequence number, extended to the index nearest the
    /// newest: ahead of it (a jump forward leaves the slots between to age out), or behind it
    /// within the ring (overwriting that slot). Older than the ring: not stored.
    mutating func insert(sequence: UInt16, payload: RTPPayload, timestamp: UInt32) {
        let index: UInt64
        if let newest = newestIndex {
            let distance = Int16(bitPattern: sequence &- UInt16(truncatingIfNeeded: newest))
            if distance > 0 {
                index = newest &+ UInt64(distance)
            } else {
                let back = UInt64(-Int(distance))
                guard back < UInt64(capacity), back <= newest else { return }
                index = newest - back
            }
        } else {
            // Start above 2^16 so a slightly older sequence number still has an index.
            index = 1 << 32 | UInt64(sequence)
        }
        slots[Int(index & mask)] = Entry(index: index, payload: payload, timestamp: timestamp)
        if index >= nextIndex { nextIndex = index &+ 1 }
    }

    /// The packet with `index`, nil when it was overwritten or never stored.
    func entry(atIndex index: UInt64) -> Entry? {
        guard let entry = slots[Int(index & mask)], entry.index == index else { return nil }
        return entry
    }

    /// The newest stored packet whose stream sequence number is `sequenceNumber` (how a NACK
    /// names it), nil when older than the ring or ahead of the newest packet.
    func lookup(sequence sequenceNumber: UInt16) -> Entry? {
        guard let newest = newestIndex else { return nil }
        let back = UInt64(UInt16(truncatingIfNeeded: newest) &- sequenceNumber)
        guard back < UInt64(capacity), back <= newest else { return nil }
        return entry(atIndex: newest - back)
    }
}
