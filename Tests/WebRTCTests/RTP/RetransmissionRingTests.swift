import NIOCore
import Testing

@testable import WebRTC

@Suite("RetransmissionRing")
struct RetransmissionRingTests {
    private func payload(_ value: UInt64) -> RTPPayload {
        RTPPayload(bytes: ByteBuffer(integer: value), marker: value % 3 == 0)
    }

    @Test("capacity rounds up to a power of two")
    func capacity() {
        #expect(RetransmissionRing(capacity: 1000).capacity == 1024)
        #expect(RetransmissionRing(capacity: 1024).capacity == 1024)
        #expect(RetransmissionRing(capacity: 0).capacity == 1)
        #expect(RetransmissionRing(capacity: 1 << 20).capacity == 32768)
    }

    @Test("keeps the last N packets and forgets older ones")
    func keepsLastN() {
        var ring = RetransmissionRing(capacity: 8)
        #expect(ring.entry(atIndex: 0) == nil)
        for value in 0..<20 as Range<UInt64> {
            #expect(ring.append(payload(value), timestamp: UInt32(value * 3000)) == value)
        }
        for value in 0..<12 as Range<UInt64> {
            #expect(ring.entry(atIndex: value) == nil)
        }
        for value in 12..<20 as Range<UInt64> {
            let entry = ring.entry(atIndex: value)
            #expect(entry?.payload == payload(value))
            #expect(entry?.timestamp == UInt32(value * 3000))
        }
        #expect(ring.entry(atIndex: 20) == nil)
    }

    @Test("slots are reused once full: stored payloads are released")
    func releasesOverwrittenPayloads() {
        var ring = RetransmissionRing(capacity: 4)
        let shared = ByteBuffer(repeating: 1, count: 2000)
        for _ in 0..<4 {
            ring.append(RTPPayload(bytes: shared, marker: false), timestamp: 0)
        }
        for value in 0..<4 as Range<UInt64> {
            ring.append(payload(value), timestamp: 0)
        }
        // Every slot now holds a new payload; the old buffer is referenced only here.
        var copy = shared
        #expect(copy.readableBytes == 2000)
        copy.setInteger(UInt8(2), at: 0)
        #expect(shared.getInteger(at: 0, as: UInt8.self) == 1)
    }
}

@Suite("A viewer's NACKs answered from its feeds' rings")
struct SentVideoRunsTests {
    static func frame(_ packets: Int, timestamp: UInt32, tag: UInt8) -> RTPFrame {
        let payloads = (0..<packets).map { RTPPayload(bytes: ByteBuffer(bytes: [tag, UInt8($0)]), marker: $0 == packets - 1) }
        return RTPFrame(track: .video, payloads: payloads, timestamp: timestamp, isKeyframe: false)
    }

    /// Records what a session records when it sends `frame` from `feed` starting at viewer `sequence`.
    static func send(_ frame: RTPFrame, from feed: StreamRetransmissions, at sequence: inout UInt16, offset: UInt32, into runs: inout SentVideoRuns) {
        for index in frame.payloads.indices {
            runs.record(
                sequence: sequence, index: frame.firstPacketIndex! + UInt64(index), streamTimestamp: frame.timestamp,
                timestamp: frame.timestamp &+ offset, feed: feed)
            sequence &+= 1
        }
    }

    @Test("across a sequence wrap, a rung switch and a start-up burst, each sequence finds its packet and timestamp")
    func findsAcrossRunsAndFeeds() throws {
        let top = StreamRetransmissions(capacity: 64)
        let low = StreamRetransmissions(capacity: 64)
        var runs = SentVideoRuns(capacity: 8)
        var sequence: UInt16 = 65_530
        // A burst: two cached frames, each with its own timestamp mapping.
        let first = top.record(Self.frame(3, timestamp: 1_000, tag: 1))
        Self.send(first, from: top, at: &sequence, offset: 5, into: &runs)
        let second = top.record(Self.frame(3, timestamp: 4_000, tag: 2))
        Self.send(second, from: top, at: &sequence, offset: 7, into: &runs)
        // The rung switch: the other feed's frame, another offset; sequence numbers continue (and wrap).
        _ = low.record(Self.frame(4, timestamp: 50, tag: 9))  // packets this viewer was never sent
        let switched = low.record(Self.frame(4, timestamp: 100, tag: 3))
        Self.send(switched, from: low, at: &sequence, offset: 20, into: &runs)

        let lost = try #require(runs.find(sequence: 65_531))
        #expect(lost.entry.payload.bytes == ByteBuffer(bytes: [1, 1]))
        #expect(lost.timestamp == 1_005)
        #expect(runs.find(sequence: 65_535)?.entry.payload.bytes == ByteBuffer(bytes: [2, 2]))
        #expect(runs.find(sequence: 65_535)?.timestamp == 4_007)
        let afterWrap = try #require(runs.find(sequence: 3))
        #expect(afterWrap.entry.payload.bytes == ByteBuffer(bytes: [3, 3]))
        #expect(afterWrap.timestamp == 120)
        #expect(runs.find(sequence: 4) == nil, "never sent")
        #expect(runs.find(sequence: 65_529) == nil, "before the first")
    }

    @Test("a packet its feed overwrote, or a feed gone, is a miss; one long run keeps one slot")
    func missesAndLongRuns() {
        var runs = SentVideoRuns(capacity: 2)
        var sequence: UInt16 = 0
        var feed: StreamRetransmissions? = StreamRetransmissions(capacity: 16)
        for frameNumber in 0..<50 {
            let frame = feed!.record(Self.frame(2, timestamp: UInt32(frameNumber * 3000), tag: UInt8(frameNumber)))
            Self.send(frame, from: feed!, at: &sequence, offset: 0, into: &runs)
        }
        #expect(runs.find(sequence: 99)?.entry.payload.bytes == ByteBuffer(bytes: [49, 1]))
        #expect(runs.find(sequence: 84)?.entry.payload.bytes == ByteBuffer(bytes: [42, 0]))
        #expect(runs.find(sequence: 83) == nil, "older than the feed's ring")
        feed = nil
        #expect(runs.find(sequence: 99) == nil, "the feed was retired")
    }
}
