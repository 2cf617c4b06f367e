import RelayCore
import Testing

/// Which on-stage sites leave the stage when their return feed drops (``DroppedStageFeeds``).
struct DroppedStageFeedsTests {
    let start = ContinuousClock.now

    @Test func aSiteWithoutAPublisherLeavesOnlyOnceTheGracePeriodIsOver() {
        var feeds = DroppedStageFeeds(grace: .seconds(3))
        #expect(feeds.dropped(classId: "math", onStage: ["a", "b"], published: ["a", "b"], now: start).isEmpty)
        #expect(feeds.dropped(classId: "math", onStage: ["a", "b"], published: ["b"], now: start + .seconds(1)).isEmpty)
        #expect(feeds.dropped(classId: "math", onStage: ["a", "b"], published: ["b"], now: start + .seconds(3.9)).isEmpty)
        #expect(feeds.dropped(classId: "math", onStage: ["a", "b"], published: ["b"], now: start + .seconds(4)) == ["a"])
    }

    @Test func aFeedBackWithinTheGracePeriodStartsOver() {
        var feeds = DroppedStageFeeds(grace: .seconds(3))
        _ = feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start)
        #expect(feeds.dropped(classId: "math", onStage: ["a"], published: ["a"], now: start + .seconds(2)).isEmpty)
        #expect(feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start + .seconds(4)).isEmpty)
        #expect(feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start + .seconds(7)) == ["a"])
    }

    @Test func aSiteTakenOffTheStageOrAClassNoLongerWatchedIsForgotten() {
        var feeds = DroppedStageFeeds(grace: .seconds(3))
        _ = feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start)
        _ = feeds.dropped(classId: "math", onStage: [], published: [], now: start + .seconds(1))
        #expect(feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start + .seconds(5)).isEmpty)
        feeds.keep(classes: [])
        #expect(feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start + .seconds(9)).isEmpty)
        #expect(feeds.dropped(classId: "art", onStage: ["a"], published: [], now: start + .seconds(9)).isEmpty)
        #expect(feeds.dropped(classId: "math", onStage: ["a"], published: [], now: start + .seconds(12)) == ["a"])
    }
}
