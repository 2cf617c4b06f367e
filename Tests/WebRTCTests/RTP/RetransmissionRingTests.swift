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
        #expect(ring.newestIndex == nil)
        #expect(ring.lookup(sequence: 0) == nil)
        for value in 0..<20 as Range<UInt64> {
            #expect(ring.append(payload(value), timestamp: UInt32(value * 3000)) == value)
        }
        #expect(ring.newestIndex == 19)
        for value in 0..<12 as Range<UInt64> {
            #expect(ring.entry(atIndex: value) == nil)
            #expect(ring.lookup(sequence: UInt16(value)) == nil)
        }
        for value in 12..<20 as Range<UInt64> {
            let entry = ring.lookup(sequence: UInt16(value))
            #expect(entry?.payload == payload(value))
            #expect(entry?.timestamp == UInt32(value * 3000))
            #expect(entry?.index == value)
        }
        #expect(ring.entry(atIndex: 20) == nil)
        #expect(ring.lookup(sequence: 20) == nil)  // ahead of the newest
    }

    @Test("sequence lookup across the UInt16 rollover")
    func rollover() throws {
        let first: UInt64 = 65536 * 3 - 600  // sequence 64936
        var ring = RetransmissionRing(capacity: 1024, firstIndex: first)
        for offset in 0..<1200 as Range<UInt64> {
            ring.append(payload(first + offset), timestamp: 0)
        }
        let newest = first + 1199  // sequence 599
        #expect(ring.newestIndex == newest)
        #expect(ring.lookup(sequence: 599)?.index == newest)
        #expect(ring.lookup(sequence: 0)?.index == 65536 * 3)
        #expect(ring.lookup(sequence: 65535)?.index == 65536 * 3 - 1)
        let oldest = newest - 1023
        #expect(ring.lookup(sequence: UInt16(truncatingIfNeeded: oldest))?.index == oldest)
        #expect(ring.lookup(sequence: UInt16(truncatingIfNeeded: oldest - 1)) == nil)
        #expect(ring.lookup(sequence: 600) == nil)
        #expect(ring.lookup(sequence: 30000) == nil)
        let entry = try #require(ring.lookup(sequence: 65535))
        #expect(entry.sequenceNumber == 65535)
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

@Suite("RetransmissionRing by sequence number")
struct RetransmissionRingSequenceTests {
    private func payload(_ value: UInt16) -> RTPPayload {
        RTPPayload(bytes: ByteBuffer(integer: value), marker: false)
    }

    @Test("insert by 16-bit sequence number across the rollover")
    func insertAcrossRollover() {
        var ring = RetransmissionRing(capacity: 16)
        var sequence: UInt16 = 65530
        for _ in 0..<20 {
            ring.insert(sequence: sequence, payload: payload(sequence), timestamp: UInt32(sequence))
            sequence &+= 1
        }
        // Newest is 13; the last 16 are 65534...13.
        #expect(ring.lookup(sequence: 13)?.payload == payload(13))
        #expect(ring.lookup(sequence: 0)?.payload == payload(0))
        #expect(ring.lookup(sequence: 65534)?.payload == payload(65534))
        #expect(ring.lookup(sequence: 65533) == nil)
        #expect(ring.lookup(sequence: 14) == nil)
    }

    @Test("a forward jump ages out the skipped slots; an old sequence is not stored")
    func jumpsAndOldSequences() {
        var ring = RetransmissionRing(capacity: 8)
        for sequence: UInt16 in 100..<104 {
            ring.insert(sequence: sequence, payload: payload(sequence), timestamp: 0)
        }
        ring.insert(sequence: 110, payload: payload(110), timestamp: 0)
        #expect(ring.lookup(sequence: 103)?.payload == payload(103))
        #expect(ring.lookup(sequence: 105) == nil)
        #expect(ring.lookup(sequence: 110)?.payload == payload(110))
        ring.insert(sequence: 105, payload: payload(1), timestamp: 0)  // behind, within the ring
        #expect(ring.lookup(sequence: 105)?.payload == payload(1))
        ring.insert(sequence: 102, payload: payload(2), timestamp: 0)  // 8 behind: past the ring
        #expect(ring.lookup(sequence: 102) == nil)
        ring.insert(sequence: 50, payload: payload(50), timestamp: 0)  // older than the ring
        #expect(ring.lookup(sequence: 50) == nil)
        #expect(ring.newestIndex.map { UInt16(truncatingIfNeeded: $0) } == 110)
    }
}
