import Testing
@testable import WebRTC

@Suite("RTPSequenceMapper")
struct RTPSequenceMapperTests {
    @Test("sequence numbers stay consecutive and timestamps increase across a switch")
    func continuousAcrossSwitch() throws {
        var mapper = RTPSequenceMapper(initialSequenceNumber: 65530, initialTimestamp: 4_294_960_000)
        mapper.begin(atStreamSeq: 1000, streamTimestamp: 90_000)
        var sent: [(seq: UInt16, timestamp: UInt32)] = []
        for index in 0..<10 as Range<UInt16> {
            sent.append(mapper.map(streamSeq: 1000 + index, streamTimestamp: 90_000 + UInt32(index / 2) * 3000))
        }
        #expect(sent.first?.seq == 65530 && sent.first?.timestamp == 4_294_960_000)
        // Switch to another rung with unrelated numbering.
        mapper.begin(atStreamSeq: 40_000, streamTimestamp: 7, timestampAdvance: 3000)
        for index in 0..<10 as Range<UInt16> {
            sent.append(mapper.map(streamSeq: 40_000 &+ index, streamTimestamp: 7 + UInt32(index / 2) * 3000))
        }
        for index in 1..<sent.count {
            #expect(sent[index].seq == sent[index - 1].seq &+ 1)
            #expect(Int32(bitPattern: sent[index].timestamp &- sent[index - 1].timestamp) >= 0)
        }
        #expect(sent[10].timestamp == sent[9].timestamp &+ 3000)
    }

    @Test("a switch back to a rung seen before still continues")
    func switchBack() {
        var mapper = RTPSequenceMapper(initialSequenceNumber: 0, initialTimestamp: 0)
        mapper.begin(atStreamSeq: 10, streamTimestamp: 1000)
        _ = mapper.map(streamSeq: 10, streamTimestamp: 1000)
        _ = mapper.map(streamSeq: 11, streamTimestamp: 4000)
        mapper.begin(atStreamSeq: 500, streamTimestamp: 0)
        #expect(mapper.map(streamSeq: 500, streamTimestamp: 0) == (2, 3001))
        mapper.begin(atStreamSeq: 20, streamTimestamp: 31_000, timestampAdvance: 0)
        #expect(mapper.map(streamSeq: 20, streamTimestamp: 31_000) == (3, 3002))
    }

    @Test("NACKed viewer sequences map back to stream sequences in the current segment only")
    func reverseMapping() {
        var mapper = RTPSequenceMapper(initialSequenceNumber: 100, initialTimestamp: 0)
        #expect(mapper.streamSeq(forViewerSeq: 100) == nil)
        _ = mapper.map(streamSeq: 65534, streamTimestamp: 0)  // begins implicitly
        _ = mapper.map(streamSeq: 65535, streamTimestamp: 0)
        _ = mapper.map(streamSeq: 0, streamTimestamp: 0)
        #expect(mapper.streamSeq(forViewerSeq: 100) == 65534)
        #expect(mapper.streamSeq(forViewerSeq: 102) == 0)
        #expect(mapper.streamSeq(forViewerSeq: 103) == nil)  // not sent yet
        #expect(mapper.streamSeq(forViewerSeq: 99) == nil)

        mapper.begin(atStreamSeq: 7, streamTimestamp: 0)
        #expect(mapper.streamSeq(forViewerSeq: 102) == nil)  // previous segment
        #expect(mapper.streamSeq(forViewerSeq: 103) == nil)
        _ = mapper.map(streamSeq: 7, streamTimestamp: 0)
        _ = mapper.map(streamSeq: 8, streamTimestamp: 0)
        #expect(mapper.streamSeq(forViewerSeq: 103) == 7)
        #expect(mapper.streamSeq(forViewerSeq: 104) == 8)
        #expect(mapper.streamSeq(forViewerSeq: 102) == nil)
    }

    @Test("a retransmission maps to its original numbers without advancing")
    func retransmissionDoesNotAdvance() {
        var mapper = RTPSequenceMapper(initialSequenceNumber: 0, initialTimestamp: 0)
        _ = mapper.map(streamSeq: 50, streamTimestamp: 100)
        _ = mapper.map(streamSeq: 51, streamTimestamp: 200)
        #expect(mapper.map(streamSeq: 50, streamTimestamp: 100) == (0, 0))
        #expect(mapper.highestSequenceNumber == 1)
        #expect(mapper.highestTimestamp == 100)
        mapper.begin(atStreamSeq: 0, streamTimestamp: 0)
        #expect(mapper.map(streamSeq: 0, streamTimestamp: 0) == (2, 101))
    }
}
