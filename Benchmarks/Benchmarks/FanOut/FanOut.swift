import BenchSupport
import Benchmark
import NIOCore
import NIOEmbedded
import RTMP
import RelayCore

/// A player connection without a socket: takes what a real one takes (the shared, pre-framed
/// bytes), counts it and drops it.
final class DiscardingSink: PlayerSink {
    var bytes = 0
    var messages = 0
    var isWritable: Bool { true }
    func write(_ item: StreamItem) {
        if case .media(let message) = item {
            bytes &+= message.wire?.readableBytes ?? 0
            messages &+= 1
        }
    }
    func flush() {}
    func close(reason: CloseReason) {}
}

final class NullPublisher: StreamPublisher {
    func evict(reason: String) {}
}

/// One stream with `subscribers` real ``PlayerOutlet``s (one ``FlushScheduler``, 10 ms ticks)
/// on an embedded event loop, fed through the registry with the RTMP framer as relayd does.
final class FanOutRig {
    let loop: EmbeddedEventLoop
    let registry: StreamRegistry
    let session: PublishSession
    let sinks: [DiscardingSink]
    let outlets: [PlayerOutlet]
    let messages: [MediaMessage]
    let tags: [BenchFixtures.Tag]
    var next = 0
    var clock: UInt32 = 0

    init(subscribers: Int) {
        loop = EmbeddedEventLoop()
        registry = StreamRegistry(
            timerLoop: loop,
            makeFramer: {
                let framer = RTMPSegmentFramer(chunkSize: 60_000)
                return { framer.frame(&$0) }
            }
        )
        let key = StreamKey(app: "live", name: "bench")
        session = registry.attachPublisher(NullPublisher(), to: key)
        let scheduler = FlushScheduler(eventLoop: loop, interval: .milliseconds(10))
        var sinks: [DiscardingSink] = []
        var outlets: [PlayerOutlet] = []
        for _ in 0..<subscribers {
            let sink = DiscardingSink()
            let outlet = PlayerOutlet(sink: sink, eventLoop: loop, scheduler: scheduler)
            registry.attachSubscriber(outlet, to: key)
            sinks.append(sink)
            outlets.append(outlet)
        }
        self.sinks = sinks
        self.outlets = outlets
        tags = BenchFixtures.tags()
        let all = BenchFixtures.mediaMessages(tags)
        // Configuration first, once; then media in a loop (one GOP after another).
        for message in all where message.isSequenceHeader || message.kind == .metadata { session.publish(message) }
        messages = all.filter { !$0.isSequenceHeader && $0.kind != .metadata }
        // Warm up: a few GOPs so every queue, the GOP cache and the dirty list reach their
        // steady-state capacity.
        for _ in 0..<(messages.count * 2) {
            publishOne()
            tick()
        }
    }

    /// Publishes the next message of the recorded stream (timestamps keep increasing).
    @inline(__always)
    func publishOne() {
        var message = messages[next]
        message.timestamp = clock
        next += 1
        if next == messages.count { next = 0 }
        clock &+= 11
        session.publish(message)
    }

    /// The flush tick: every dirty outlet is drained into its sink (one flush each).
    @inline(__always)
    func tick() {
        loop.advanceTime(by: .milliseconds(10))
    }

    /// Publishes with a fresh payload allocation per message (the publisher's input copy).
    @inline(__always)
    func allocateAndPublishOne(allocator: ByteBufferAllocator) {
        let tag = tags[next % tags.count]
        next += 1
        var payload = MediaMessage.allocatePayload(capacity: tag.body.readableBytes, allocator: allocator)
        payload.writeImmutableBuffer(tag.body)
        let kind = MediaMessage.Kind(rawValue: tag.type) ?? .audio
        let message = MediaMessage(kind: kind, timestamp: clock, payload: payload)
        clock &+= 11
        if !message.isSequenceHeader && message.kind != .metadata { session.publish(message) }
    }
}

let benchmarks: @Sendable () -> Void = {
    // Malloc counts are exact: any per-subscriber allocation shows up as +N at N subscribers.
    let thresholds: [BenchmarkMetric: BenchmarkThresholds] = [
        .mallocCountTotal: .init(absolute: [.p50: 0, .p90: 0])
    ]
    // Each sample runs 1000 iterations (scaled: reported per iteration); the rig is built once.
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 1000,
        thresholds: thresholds
    )

    // One iteration = one published packet reaching every subscriber: publish (framing, GOP
    // cache, enqueue to N outlets) + the flush tick that drains all N (at 2 Mbit/s with a 10 ms
    // interval a tick carries about one message per player).
    for subscribers in [1, 100, 1000] {
        Benchmark("publish+drain, \(subscribers) subscribers") { benchmark, rig in
            for _ in benchmark.scaledIterations {
                rig.publishOne()
                rig.tick()
            }
            blackHole(rig.sinks[0].bytes)
        } setup: {
            FanOutRig(subscribers: subscribers)
        }
    }

    // Four packets per tick (a 40 ms interval, or a burst): batching amortizes the tick.
    Benchmark("publish x4+drain, 1000 subscribers") { benchmark, rig in
        for _ in benchmark.scaledIterations {
            rig.publishOne()
            rig.publishOne()
            rig.publishOne()
            rig.publishOne()
            rig.tick()
        }
        blackHole(rig.sinks[0].bytes)
    } setup: {
        FanOutRig(subscribers: 1000)
    }

    // Same, with the publisher's one input allocation per packet included.
    Benchmark("allocate+publish+drain, 100 subscribers") { benchmark, rig in
        let allocator = ByteBufferAllocator()
        for _ in benchmark.scaledIterations {
            rig.allocateAndPublishOne(allocator: allocator)
            rig.tick()
        }
        blackHole(rig.sinks[0].bytes)
    } setup: {
        FanOutRig(subscribers: 100)
    }
}
