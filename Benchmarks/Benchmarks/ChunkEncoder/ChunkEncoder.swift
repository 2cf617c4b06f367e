import BenchSupport
import Benchmark
import NIOCore
import RTMP
import RelayCore

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 2_000,
        thresholds: [.mallocCountTotal: .init(absolute: [.p50: 0, .p90: 0])]
    )

    let tags = BenchFixtures.tags()
    let messages = BenchFixtures.mediaMessages(tags).filter { $0.kind != .metadata }
    let big = messages.filter { $0.size > 60_000 }.count
    print("ChunkEncoder: \(messages.count) messages, \(big) larger than one 60000-byte chunk")

    /// One iteration = frame the next of `messages` with `frame`, cycling through the recording.
    func framing(_ name: String, _ messages: [MediaMessage], _ frame: @escaping @Sendable (inout MediaMessage) -> Void) {
        Benchmark(name) { benchmark in
            var index = 0
            for _ in benchmark.scaledIterations {
                var message = messages[index]
                index = index + 1 == messages.count ? 0 : index + 1
                frame(&message)
                blackHole(message.wire)
            }
        }
    }

    // What relayd does per stream: every message's chunks written into the stream's shared
    // segment (a new 128 KiB segment when one is full: amortized, not per packet).
    let segmentFramer = RTMPSegmentFramer(chunkSize: 60_000)
    framing("RTMPSegmentFramer.frame per packet (chunk 60000)", messages) { segmentFramer.frame(&$0) }

    // A per-connection encoder (commands, a publisher's output) chunking at 4096 into a reused buffer.
    Benchmark("RTMPChunkEncoder.encode per packet (chunk 4096, reused buffer)") { benchmark in
        let encoder = RTMPChunkEncoder(chunkSize: 4096)
        var out = ByteBuffer()
        out.reserveCapacity(1 << 20)
        var index = 0
        for _ in benchmark.scaledIterations {
            let tag = tags[index]
            index = index + 1 == tags.count ? 0 : index + 1
            out.clear()
            encoder.encode(RTMPMessage(typeID: tag.type, streamID: 1, timestamp: tag.timestamp, payload: tag.body), csid: 6, into: &out)
            blackHole(out.readableBytes)
        }
    }
}
