/// The last `capacity` packets of one stream, numbered by a 64-bit stream packet index that
/// `append` assigns. Slots are preallocated: once full, an append overwrites the oldest slot and
/// allocates nothing. A value type: `StreamRetransmissions` owns it on the event loop.
struct RetransmissionRing: Sendable {
    /// One stored packet.
    struct Entry: Sendable, Equatable {
        var index: UInt64
        var payload: RTPPayload
        /// The stream's RTP timestamp of the packet.
        var timestamp: UInt32
    }

    /// Slots: a power of two, 1...32768.
    let capacity: Int
    private let mask: UInt64
    private var slots: [Entry?]
    /// The index the next `append` assigns.
    private(set) var nextIndex: UInt64 = 0

    /// `capacity` is rounded up to a power of two (and clamped to 1...32768).
    init(capacity: Int = 1024) {
        let clamped = min(max(capacity, 1), 32768)
        var rounded = 1
        while rounded < clamped { rounded <<= 1 }
        self.capacity = rounded
        self.mask = UInt64(rounded - 1)
        self.slots = Array(repeating: nil, count: rounded)
    }

    /// Stores the next packet of the stream; returns its index.
    @discardableResult
    mutating func append(_ payload: RTPPayload, timestamp: UInt32) -> UInt64 {
        let index = nextIndex
        slots[Int(index & mask)] = Entry(index: index, payload: payload, timestamp: timestamp)
        nextIndex = index &+ 1
        return index
    }

    /// The packet with `index`, nil when it was overwritten or never stored.
    func entry(atIndex index: UInt64) -> Entry? {
        guard let entry = slots[Int(index & mask)], entry.index == index else { return nil }
        return entry
    }
}
