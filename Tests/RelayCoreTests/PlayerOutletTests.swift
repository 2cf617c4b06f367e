import Foundation
import NIOCore
import NIOEmbedded
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("PlayerOutlet and FlushScheduler")
struct PlayerOutletTests {
    let loop = EmbeddedEventLoop()

    func makeOutlet(
        _ sink: FakeSink, scheduler: FlushScheduler? = nil, interval: TimeAmount = .milliseconds(10),
        stall: TimeAmount = .seconds(20), limits: PlayerQueue.Limits = .init()
    ) -> PlayerOutlet {
        PlayerOutlet(
            sink: sink, eventLoop: loop,
            scheduler: scheduler ?? FlushScheduler(eventLoop: loop, interval: interval),
            limits: limits, stallTimeout: stall
        )
    }

    func enqueueGOP(_ outlet: PlayerOutlet, base: UInt32 = 0) {
        outlet.enqueue(.media(TestMedia.videoHeader(ts: base)), streamHasVideo: true)
        outlet.enqueue(.media(TestMedia.keyframe(ts: base + 40, size: 100)), streamHasVideo: true)
        outlet.enqueue(.media(TestMedia.audio(ts: base + 50, size: 10)), streamHasVideo: true)
        outlet.enqueue(.media(TestMedia.interframe(ts: base + 80, size: 30)), streamHasVideo: true)
    }

    @Test func deliversInOneFlushPerTick() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink)
        enqueueGOP(outlet)
        loop.run()
        #expect(sink.written.isEmpty, "nothing before the tick")
        #expect(outlet.backlogMillis == 40)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.flushes == [["vh@0", "kf@40", "audio@50", "inter@80"]])
        #expect(outlet.messagesSent == 4)
        #expect(outlet.bytesSent == TestMedia.videoHeader().size + 100 + 10 + 30)
        #expect(outlet.backlogMillis == 0)

        outlet.enqueue(.media(TestMedia.interframe(ts: 120)), streamHasVideo: true)
        outlet.enqueue(.media(TestMedia.interframe(ts: 160)), streamHasVideo: true)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.flushes.count == 2)
        #expect(sink.flushes.last == ["inter@120", "inter@160"])

        loop.advanceTime(by: .milliseconds(100))
        #expect(sink.flushes.count == 2, "no flush without new data")
    }

    @Test func oneTimerServesManyOutlets() {
        let scheduler = FlushScheduler(eventLoop: loop, interval: .milliseconds(10))
        let sinks = (0..<3).map { _ in FakeSink() }
        let outlets = sinks.map { makeOutlet($0, scheduler: scheduler) }
        for o in outlets { enqueueGOP(o) }
        loop.advanceTime(by: .milliseconds(9))
        #expect(sinks.allSatisfy { $0.written.isEmpty })
        loop.advanceTime(by: .milliseconds(1))
        for s in sinks { #expect(s.flushes.count == 1 && s.written.count == 4) }
    }

    @Test func zeroIntervalDrainsOnNextLoopTurn() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink, interval: .zero)
        enqueueGOP(outlet)
        #expect(sink.written.isEmpty)
        loop.run()
        #expect(sink.flushes.count == 1)
        #expect(sink.written.count == 4)
    }

    @Test func gatedItemsAreNotDelivered() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink)
        outlet.enqueue(.media(TestMedia.interframe(ts: 0)), streamHasVideo: true)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.written.isEmpty)
        #expect(outlet.dropStats.droppedMessages == 1)
    }

    @Test func nothingDeliveredWhileUnwritableThenFlushNow() {
        let sink = FakeSink()
        sink.isWritable = false
        let outlet = makeOutlet(sink)
        enqueueGOP(outlet)
        loop.advanceTime(by: .milliseconds(50))
        #expect(sink.written.isEmpty)
        #expect(sink.flushes.isEmpty)
        outlet.enqueue(.media(TestMedia.interframe(ts: 120)), streamHasVideo: true)
        loop.advanceTime(by: .milliseconds(50))
        #expect(sink.written.isEmpty)
        #expect(sink.closeReasons.isEmpty)

        sink.isWritable = true
        outlet.flushNow()
        #expect(sink.flushes == [["vh@0", "kf@40", "audio@50", "inter@80", "inter@120"]])
    }

    @Test func flushNowDeliversWithoutWaitingForTheTick() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink, interval: .seconds(10))
        enqueueGOP(outlet)
        outlet.flushNow()
        #expect(sink.flushes.count == 1)
        #expect(sink.written.count == 4)
        // The tick that was armed finds nothing left.
        loop.advanceTime(by: .seconds(10))
        #expect(sink.flushes.count == 1)
        outlet.flushNow()
        #expect(sink.flushes.count == 1, "an empty drain does not flush")
    }

    @Test func closeDropsQueuedItemsAndStopsDelivery() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink)
        enqueueGOP(outlet)
        outlet.close()
        loop.advanceTime(by: .milliseconds(10))
        outlet.enqueue(.media(TestMedia.keyframe(ts: 200)), streamHasVideo: true)
        loop.advanceTime(by: .milliseconds(10))
        outlet.flushNow()
        #expect(sink.written.isEmpty)
    }

    @Test func queueOverflowIsReportedInDropStats() {
        let sink = FakeSink()
        sink.isWritable = false
        let outlet = makeOutlet(sink, limits: .init(maxBytes: 150, maxMillis: 60_000))
        enqueueGOP(outlet)  // 9 + 100 + 10 + 30 = 149
        outlet.enqueue(.media(TestMedia.interframe(ts: 120, size: 30)), streamHasVideo: true)
        #expect(outlet.dropStats.overflows == 1)
        #expect(outlet.dropStats.droppedMessages == 4)
        sink.isWritable = true
        outlet.flushNow()
        #expect(sink.written.map(\.label) == ["vh@0"])
    }

    @Test func stalledSinkIsClosed() throws {
        let sink = FakeSink()
        let outlet = makeOutlet(sink, stall: .milliseconds(50))
        enqueueGOP(outlet)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.written.count == 4)

        sink.isWritable = false
        outlet.enqueue(.media(TestMedia.interframe(ts: 120)), streamHasVideo: true)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.closeReasons.isEmpty, "unwritable for less than the stall timeout")

        // The outlet measures stalls on its loop's clock: the embedded loop's time, no real sleep.
        loop.advanceTime(by: .milliseconds(60))
        outlet.enqueue(.media(TestMedia.interframe(ts: 160)), streamHasVideo: true)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.closeReasons.count == 1)
        #expect(sink.closeReasons == [.stalled(milliseconds: 50)])

        sink.isWritable = true
        outlet.flushNow()
        #expect(sink.written.count == 4, "nothing after the close")
        #expect(sink.closeReasons.count == 1)
    }

    @Test func unwritableWithNothingPendingIsNotAStall() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink, stall: .milliseconds(20))
        sink.isWritable = false
        loop.advanceTime(by: .milliseconds(50))  // the loop's clock, which the outlet reads
        outlet.flushNow()
        #expect(sink.closeReasons.isEmpty)
    }

    /// Regression: `lastProgress` only moves when something is flushed, so time spent with
    /// nothing to send (a player waiting for a publisher) counts as a stall.
    @Test func idlePlayerIsNotClosedAtFirstBackpressure() {
        let sink = FakeSink()
        let outlet = makeOutlet(sink, stall: .milliseconds(50))
        // Writable and idle (nothing to send) for longer than the stall timeout, on the loop's clock ...
        loop.advanceTime(by: .milliseconds(120))
        // ... then media arrives while the socket is momentarily above its high-water mark.
        sink.isWritable = false
        enqueueGOP(outlet)
        loop.advanceTime(by: .milliseconds(10))
        #expect(sink.closeReasons.isEmpty)
    }
}
