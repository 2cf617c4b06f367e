import NIOCore
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("PlayerQueue keyframe gating")
struct PlayerQueueGatingTests {
    @Test func startsWaitingAndDropsInterFramesAndAudioWhenStreamHasVideo() {
        var queue = PlayerQueue()
        #expect(queue.waitingForKeyframe)
        #expect(queue.push(.media(TestMedia.interframe(ts: 0)), streamHasVideo: true) == false)
        #expect(queue.push(.media(TestMedia.audio(ts: 5)), streamHasVideo: true) == false)
        #expect(queue.droppedMessages == 2)
        #expect(queue.isEmpty)
        #expect(queue.bytes == 0)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 40)), streamHasVideo: true) == true)
        #expect(!queue.waitingForKeyframe)
        #expect(queue.push(.media(TestMedia.audio(ts: 45)), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.interframe(ts: 80)), streamHasVideo: true) == true)
        #expect(queue.labels == ["kf@40", "audio@45", "inter@80"])
        #expect(queue.droppedMessages == 2)
    }

    @Test func audioOnlyStreamPassesAudioAtOnce() {
        var queue = PlayerQueue()
        #expect(queue.push(.media(TestMedia.audio(ts: 0)), streamHasVideo: false) == true)
        #expect(!queue.waitingForKeyframe)
        #expect(queue.push(.media(TestMedia.audio(ts: 23)), streamHasVideo: false) == true)
        #expect(queue.labels == ["audio@0", "audio@23"])
        #expect(queue.droppedMessages == 0)
    }

    @Test func configurationAlwaysPassesWhileWaiting() {
        var queue = PlayerQueue()
        #expect(queue.push(.media(TestMedia.metadata()), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.videoHeader()), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.audioHeader()), streamHasVideo: true) == true)
        #expect(queue.waitingForKeyframe, "configuration does not open the GOP")
        #expect(queue.labels == ["meta@0", "vh@0", "ah@0"])
        #expect(queue.oldestTimestamp == nil, "configuration does not count as backlog")
        let configBytes = TestMedia.metadata().size + TestMedia.videoHeader().size + TestMedia.audioHeader().size
        #expect(queue.bytes == configBytes)
    }

    @Test func eventsAlwaysPass() {
        var queue = PlayerQueue()
        #expect(queue.push(.event(.publisherLost), streamHasVideo: true) == true)
        #expect(queue.push(.event(.ended(reason: "x")), streamHasVideo: true) == true)
        #expect(queue.items.count == 2)
        #expect(queue.bytes == 0)
    }

    @Test func publisherStartedWaitsForKeyframeAgain() {
        var queue = PlayerQueue()
        _ = queue.push(.media(TestMedia.keyframe(ts: 0)), streamHasVideo: true)
        _ = queue.push(.media(TestMedia.interframe(ts: 40)), streamHasVideo: true)
        #expect(!queue.waitingForKeyframe)
        #expect(queue.push(.event(.publisherStarted), streamHasVideo: true) == true)
        #expect(queue.waitingForKeyframe)
        #expect(queue.push(.media(TestMedia.interframe(ts: 80)), streamHasVideo: true) == false)
        #expect(queue.push(.media(TestMedia.audio(ts: 81)), streamHasVideo: true) == false)
        #expect(queue.push(.media(TestMedia.videoHeader(ts: 82)), streamHasVideo: true) == true)
        #expect(queue.push(.media(TestMedia.keyframe(ts: 120)), streamHasVideo: true) == true)
        #expect(queue.labels == ["kf@0", "inter@40", "event:publisherStarted", "vh@82", "kf@120"])
        #expect(queue.droppedMessages == 2)
    }

    @Test func publisherLostDoesNotGate() {
        var queue = PlayerQueue()
        _ = queue.push(.media(TestMedia.keyframe(ts: 0)), streamHasVideo: true)
        _ = queue.push(.event(.publisherLost), streamHasVideo: true)
        #expect(!queue.waitingForKeyframe)
        #expect(queue.push(.media(TestMedia.interframe(ts: 40)), streamHasVideo: true) == true)
    }

    @Test func drainEmptiesIntoOther() {
        var queue = PlayerQueue()
        _ = queue.push(.media(TestMedia.videoHeader()), streamHasVideo: true)
        _ = queue.push(.media(TestMedia.keyframe(ts: 10, size: 100)), streamHasVideo: true)
        _ = queue.push(.media(TestMedia.interframe(ts: 50, size: 20)), streamHasVideo: true)
        #expect(queue.backlogMillis(newest: 50) == 40)
        var out = CircularBuffer<StreamItem>()
        queue.drain(into: &out)
        #expect(queue.isEmpty)
        #expect(queue.bytes == 0)
        #expect(queue.oldestTimestamp == nil)
        #expect(queue.backlogMillis(newest: 50) == 0)
        #expect(out.map(\.label) == ["vh@0", "kf@10", "inter@50"])
        #expect(!queue.waitingForKeyframe, "draining does not re-gate")
        #expect(queue.push(.media(TestMedia.interframe(ts: 90)), streamHasVideo: true) == true)
        #expect(queue.oldestTimestamp == 90)
    }

    @Test func backlogMillisIgnoresOlderNewest() {
        var queue = PlayerQueue()
        _ = queue.push(.media(TestMedia.keyframe(ts: 1000)), streamHasVideo: true)
        #expect(queue.backlogMillis(newest: 999) == 0)
        #expect(queue.backlogMillis(newest: 1500) == 500)
    }
}
