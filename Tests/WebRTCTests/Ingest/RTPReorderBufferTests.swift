import NIOCore
import Testing

@testable import WebRTC

/// The WHIP ingest's reorder buffer: in order at once, late packets waited for (and asked for)
/// up to its delay, then skipped; duplicates and restarts.
@Suite struct RTPReorderBufferTests {
    static func packet(_ sequence: UInt16) -> RTPPacket {
        RTPPacket(
            header: RTPHeader(payloadType: 102, sequenceNumber: sequence, timestamp: 0, ssrc: 1),
            payload: ByteBuffer(bytes: [UInt8(truncatingIfNeeded: sequence)]))
    }

    static func numbers(_ packets: [RTPPacket]) -> [UInt16] { packets.map(\.header.sequenceNumber) }

    @Test func inOrderPacketsComeOutAtOnce() {
        var buffer = RTPReorderBuffer()
        let t = NIODeadline.now()
        for sequence: UInt16 in [65534, 65535, 0, 1] {
            #expect(Self.numbers(buffer.insert(Self.packet(sequence), now: t)) == [sequence], "across the wrap too")
        }
        #expect(buffer.missing(now: t).isEmpty)
    }

    @Test func aReorderedPacketReleasesThoseHeldBehindIt() {
        var buffer = RTPReorderBuffer()
        let t = NIODeadline.now()
        _ = buffer.insert(Self.packet(10), now: t)
        #expect(buffer.insert(Self.packet(12), now: t).isEmpty)
        #expect(buffer.insert(Self.packet(13), now: t).isEmpty)
        #expect(buffer.missing(now: t) == [11], "the gap is asked for")
        #expect(Self.numbers(buffer.insert(Self.packet(11), now: t + .milliseconds(20))) == [11, 12, 13])
        #expect(buffer.heldCount == 0)
        #expect(buffer.insert(Self.packet(11), now: t).isEmpty, "a duplicate is dropped")
        #expect(buffer.late == 1)
    }

    @Test func aLostPacketIsAskedForThreeTimesThenSkippedAfterTheDelay() {
        var buffer = RTPReorderBuffer(maxDelay: .milliseconds(100))
        let t = NIODeadline.now()
        _ = buffer.insert(Self.packet(1), now: t)
        _ = buffer.insert(Self.packet(3), now: t)
        #expect(buffer.missing(now: t) == [2])
        #expect(buffer.missing(now: t + .milliseconds(10)).isEmpty, "not again within 30 ms")
        #expect(buffer.missing(now: t + .milliseconds(30)) == [2])
        #expect(buffer.missing(now: t + .milliseconds(60)) == [2])
        #expect(buffer.missing(now: t + .milliseconds(90)).isEmpty, "at most three requests")
        #expect(buffer.release(now: t + .milliseconds(50)).isEmpty, "still waiting")
        #expect(Self.numbers(buffer.release(now: t + .milliseconds(100))) == [3])
        #expect(buffer.skipped == 1)
        #expect(Self.numbers(buffer.insert(Self.packet(4), now: t)) == [4])
        #expect(buffer.insert(Self.packet(2), now: t).isEmpty, "the retransmission came too late")
    }

    @Test func aJumpRestartsTheSequence() {
        var buffer = RTPReorderBuffer(capacity: 64)
        let t = NIODeadline.now()
        _ = buffer.insert(Self.packet(100), now: t)
        _ = buffer.insert(Self.packet(102), now: t)
        #expect(Self.numbers(buffer.insert(Self.packet(5000), now: t)) == [102, 5000], "what was held, then the new sequence")
        #expect(Self.numbers(buffer.insert(Self.packet(5001), now: t)) == [5001])
    }
}
