/// Maps one stream's RTP sequence numbers and timestamps into one viewer's, so that the
/// viewer sees a single continuous source across switches between renditions (rungs).
///
/// Each switch starts a segment (`begin`): the segment's first packet gets the sequence number
/// after the last one the viewer was sent, and a timestamp `timestampAdvance` after the
/// highest it was sent. Within a segment the mapping is a fixed offset, so retransmissions and
/// NACKs translate both ways.
struct RTPSequenceMapper: Sendable {
    /// The viewer's first sequence number and timestamp (random per RFC 3550 by default).
    let initialSequenceNumber: UInt16
    let initialTimestamp: UInt32

    private var sequenceOffset: UInt16 = 0
    private var timestampOffset: UInt32 = 0
    /// The viewer sequence number of the current segment's first packet; nil before `begin`.
    private(set) var segmentStart: UInt16?
    /// The highest viewer sequence number sent in the current segment.
    private var segmentHighest: UInt16?
    /// The highest viewer sequence number and timestamp sent so far; nil before any.
    private(set) var highestSequenceNumber: UInt16?
    private(set) var highestTimestamp: UInt32?

    init(
        initialSequenceNumber: UInt16 = .random(in: 0 ... .max),
        initialTimestamp: UInt32 = .random(in: 0 ... .max)
    ) {
        self.initialSequenceNumber = initialSequenceNumber
        self.initialTimestamp = initialTimestamp
    }

    /// Starts a segment at the stream packet (`streamSeq`, `streamTimestamp`), usually a
    /// keyframe of the new rung. `timestampAdvance` is the viewer timestamp step from the last
    /// packet sent (ideally the wall-clock gap in RTP clock units; at least 1 keeps them
    /// increasing).
    mutating func begin(atStreamSeq streamSeq: UInt16, streamTimestamp: UInt32, timestampAdvance: UInt32 = 1) {
        let nextSequence = highestSequenceNumber.map { $0 &+ 1 } ?? initialSequenceNumber
        let nextTimestamp = highestTimestamp.map { $0 &+ max(timestampAdvance, 1) } ?? initialTimestamp
        sequenceOffset = nextSequence &- streamSeq
        timestampOffset = nextTimestamp &- streamTimestamp
        segmentStart = nextSequence
        segmentHighest = nil
    }

    /// The viewer's sequence number and timestamp for a stream packet of the current segment
    /// (starting the first segment at it if none was begun).
    mutating func map(streamSeq: UInt16, streamTimestamp: UInt32) -> (seq: UInt16, timestamp: UInt32) {
        if segmentStart == nil {
            begin(atStreamSeq: streamSeq, streamTimestamp: streamTimestamp)
        }
        let sequence = streamSeq &+ sequenceOffset
        let timestamp = streamTimestamp &+ timestampOffset
        if let highest = segmentHighest, Int16(bitPattern: sequence &- highest) <= 0 {
            // A retransmission or a reordered packet: nothing advances.
        } else {
            segmentHighest = sequence
        }
        if highestSequenceNumber.map({ Int16(bitPattern: sequence &- $0) > 0 }) ?? true {
            highestSequenceNumber = sequence
        }
        if highestTimestamp.map({ Int32(bitPattern: timestamp &- $0) > 0 }) ?? true {
            highestTimestamp = timestamp
        }
        return (sequence, timestamp)
    }

    /// The stream sequence number behind a viewer sequence number of the current segment (to
    /// answer the viewer's NACK from the stream's `RetransmissionRing`); nil for one sent
    /// before the current segment or not sent yet.
    func streamSeq(forViewerSeq viewerSeq: UInt16) -> UInt16? {
        guard let start = segmentStart, let highest = segmentHighest else { return nil }
        guard viewerSeq &- start <= highest &- start else { return nil }
        return viewerSeq &- sequenceOffset
    }
}
