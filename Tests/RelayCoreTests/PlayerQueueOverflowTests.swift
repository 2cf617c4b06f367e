import NIOCore
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("PlayerQueue overflow")
struct PlayerQueueOverflowTests {
    @Test func overflowByBytesCutsBacklogKeepsConfigAndResumesAtKeyframe() {
        var queue = PlayerQueue(limits: .init(maxBytes: 1000, maxMillis: 60_000))
        let header = TestMedia.videoHeader()
        #expect(queue.push(.media(TestMedia.metadata()), streamHasVideo: true) == true)
        #expect(queue.push(.media(header), streamHasVideo: true) == true)
        #expect(queue.push(.event(.publisherLost), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 0, size: 400)), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.interframe(ts: 40, size: 400)), streamHasVideo: true) == true)
        // 400 + 400 + config + 400 > 1000: the backlog goes, this inter frame too.
        #expect(queue.push(.media(TestMedia.interframe(ts: 80, size: 400)), streamHasVideo: true) == false)
        #expect(queue.overflows == 1)
        #expect(queue.droppedMessages == 3)
        #expect(queue.waitingForKeyframe)
        #expect(queue.labels == ["meta@0", "vh@0", "event:publisherLost"])
        #expect(queue.bytes == TestMedia.metadata().size + header.size)
        #expect(queue.oldestTimestamp == nil)

        #expect(queue.push(.media(TestMedia.interframe(ts: 120, size: 10)), streamHasVideo: true) == false)
        #expect(queue.push(.media(TestMedia.audio(ts: 121)), streamHasVideo: true) == false)
        #expect(queue.droppedMessages == 5)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 160, size: 100)), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.audio(ts: 161)), streamHasVideo: true) == true)
        #expect(queue.labels == ["meta@0", "vh@0", "event:publisherLost", "kf@160", "audio@161"])
        #expect(queue.overflows == 1)
    }

    @Test func overflowByTime() {
        var queue = PlayerQueue(limits: .init(maxBytes: 1 << 30, maxMillis: 1000))
        #expect(queue.push(.media(TestMedia.audioHeader()), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 5000)), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.interframe(ts: 5500)), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.interframe(ts: 6000)), streamHasVideo: true) == true, "exactly maxMillis is fine")
        #expect(queue.push(.media(TestMedia.interframe(ts: 6001)), streamHasVideo: true) == false)
        #expect(queue.overflows == 1)
        #expect(queue.droppedMessages == 4)
        #expect(queue.labels == ["ah@0"])
        #expect(queue.waitingForKeyframe)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 7000)), streamHasVideo: true) == true)
        #expect(queue.oldestTimestamp == 7000)
        #expect(queue.labels == ["ah@0", "kf@7000"])
    }

    @Test func keyframeThatOverflowsIsKept() {
        var queue = PlayerQueue(limits: .init(maxBytes: 500, maxMillis: 60_000))
        _ = queue.push(.media(TestMedia.keyframe(ts: 0, size: 300)), streamHasVideo: true)
        _ = queue.push(.media(TestMedia.interframe(ts: 40, size: 100)), streamHasVideo: true)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 80, size: 300)), streamHasVideo: true) == true)
        #expect(queue.overflows == 1)
        #expect(queue.droppedMessages == 2)
        #expect(!queue.waitingForKeyframe)
        #expect(queue.labels == ["kf@80"])
        #expect(queue.bytes == 300)
        #expect(queue.oldestTimestamp == 80)
    }

    @Test func audioOnlyOverflowKeepsNewestAudio() {
        var queue = PlayerQueue(limits: .init(maxBytes: 100, maxMillis: 60_000))
        _ = queue.push(.media(TestMedia.audioHeader()), streamHasVideo: false)
        for i in 0..<10 {
            _ = queue.push(.media(TestMedia.audio(ts: UInt32(i) * 23, size: 10)), streamHasVideo: false)
        }
        // 4 + 10 * 10 > 100: the tenth message overflowed and survives alone (with the header).
        #expect(queue.overflows == 1)
        #expect(queue.droppedMessages == 9)
        #expect(queue.labels == ["ah@0", "audio@207"])
        #expect(!queue.waitingForKeyframe)
    }

    @Test func repeatedOverflowsAreCounted() {
        var queue = PlayerQueue(limits: .init(maxBytes: 100, maxMillis: 60_000))
        var ts: UInt32 = 0
        for _ in 0..<3 {
            _ = queue.push(.media(TestMedia.keyframe(ts: ts, size: 60)), streamHasVideo: true)
            ts += 40
            _ = queue.push(.media(TestMedia.interframe(ts: ts, size: 60)), streamHasVideo: true)
            ts += 40
        }
        // Each GOP: keyframe accepted, inter frame overflows (dropping keyframe + itself).
        #expect(queue.overflows == 3)
        #expect(queue.droppedMessages == 6)
        #expect(queue.isEmpty)
    }

    @Test func overflowThenDrainAndContinue() {
        var queue = PlayerQueue(limits: .init(maxBytes: 200, maxMillis: 60_000))
        _ = queue.push(.media(TestMedia.keyframe(ts: 0, size: 150)), streamHasVideo: true)
        var out = CircularBuffer<StreamItem>()
        queue.drain(into: &out)
        // The drained keyframe no longer counts against the limit.
        #expect(queue.push(.media(TestMedia.interframe(ts: 40, size: 150)), streamHasVideo: true) == true)
        #expect(queue.overflows == 0)
    }
}
