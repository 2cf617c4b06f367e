/// Which stream packet each of one viewer's recent video sequence numbers carried, as runs: in a
/// run, consecutive viewer sequence numbers carried consecutive packets of one feed with one
/// timestamp offset. A viewer watching one feed adds to one run; a start-up burst (each frame
/// its own timestamp), a picture loss or a rung switch begin new ones. A NACK's sequence number
/// finds its packet in the feed's `StreamRetransmissions`, not in a copy per viewer. Runs sit in
/// preallocated slots; the oldest is overwritten. Pure value; the session owns it.
struct SentVideoRuns {
    struct Run {
        var lastSequence: UInt16
        var lastIndex: UInt64
        var count: Int
        /// Viewer timestamp = stream timestamp &+ offset.
        var timestampOffset: UInt32
        /// Which feed's packets (compared without touching the weak reference).
        var feedID: ObjectIdentifier
        weak var feed: StreamRetransmissions?
    }

    /// A resolved NACK: where the packet is and the timestamp it was sent with.
    struct Found {
        let entry: RetransmissionRing.Entry
        let timestamp: UInt32
    }

    private var runs: [Run?]
    private var newest: Int = -1

    init(capacity: Int = 256) {
        runs = Array(repeating: nil, count: max(capacity, 1))
    }

    /// Notes that viewer `sequence` carried packet `index` of `feed`, sent with `timestamp`.
    mutating func record(sequence: UInt16, index: UInt64, streamTimestamp: UInt32, timestamp: UInt32, feed: StreamRetransmissions) {
        let offset = timestamp &- streamTimestamp
        let id = ObjectIdentifier(feed)
        if newest >= 0, var run = runs[newest], run.feedID == id, run.timestampOffset == offset,
            sequence == run.lastSequence &+ 1, index == run.lastIndex &+ 1
        {
            run.lastSequence = sequence
            run.lastIndex = index
            run.count += 1
            runs[newest] = run
            return
        }
        newest = (newest + 1) % runs.count
        runs[newest] = Run(lastSequence: sequence, lastIndex: index, count: 1, timestampOffset: offset, feedID: id, feed: feed)
    }

    /// The packet viewer `sequence` carried most recently, if its feed still holds it.
    func find(sequence: UInt16) -> Found? {
        guard newest >= 0 else { return nil }
        for step in 0..<runs.count {
            guard let run = runs[(newest - step + runs.count) % runs.count] else { return nil }
            let back = Int(run.lastSequence &- sequence)
            guard back < run.count, UInt64(back) <= run.lastIndex else { continue }
            guard let feed = run.feed, let entry = feed.entry(atIndex: run.lastIndex - UInt64(back)) else { return nil }
            return Found(entry: entry, timestamp: entry.timestamp &+ run.timestampOffset)
        }
        return nil
    }
}
