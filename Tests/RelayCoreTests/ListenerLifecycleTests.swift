import RelayCore
import Testing

/// A listener's run and its close meet in any order; what was started is stopped once.
@Suite struct ListenerLifecycleTests {
    @Test func aCloseWhileServingHandsOverWhatIsServedOnce() {
        let lifecycle = ListenerLifecycle<Int>()
        #expect(lifecycle.begin())
        #expect(lifecycle.serve(7))
        #expect(lifecycle.close() == 7)
        #expect(lifecycle.close() == nil, "closed once")
    }

    @Test func aCloseBeforeRunMeansRunServesNothing() {
        let lifecycle = ListenerLifecycle<Int>()
        #expect(lifecycle.close() == nil)
        #expect(!lifecycle.begin(), "a failing listener shut the group down before this one started")
    }

    @Test func aCloseWhileStartingLeavesTheStoppingToRun() {
        let lifecycle = ListenerLifecycle<Int>()
        #expect(lifecycle.begin())
        #expect(lifecycle.close() == nil, "nothing served yet: the close has nothing to stop")
        #expect(!lifecycle.serve(7), "run sees the close and stops what it started itself")
        #expect(lifecycle.close() == nil)
    }

    @Test func aFailedStartLeavesNothingToClose() {
        let lifecycle = ListenerLifecycle<Int>()
        #expect(lifecycle.begin())
        lifecycle.failedToStart()
        #expect(lifecycle.close() == nil)
        #expect(!lifecycle.begin(), "a listener starts once")
    }
}
