import BenchSupport
import Benchmark
import NIOCore
import NIOEmbedded
import RTMP

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(3),
        maxIterations: 200
    )

    // One iteration = the whole recorded 20 s 720p stream (≈5 MB of RTMP chunks at 4096 bytes,
    // as ffmpeg/OBS publish), fed in 64 KiB reads through ByteToMessageHandler(RTMPChunkDecoder)
    // exactly as the relay's pipeline does. MB/s = stream bytes / wall clock per iteration.
    let tags = BenchFixtures.tags()
    let stream = BenchFixtures.publisherChunkStream(tags, chunkSize: 4096)
    print("ChunkDecoder: stream of \(stream.readableBytes) bytes, \(tags.count) messages")

    for chunkSize in [4096, 128] {
        let input = chunkSize == 4096 ? stream : BenchFixtures.publisherChunkStream(tags, chunkSize: chunkSize)
        Benchmark("decode 20 s 720p stream, chunk size \(chunkSize)") { benchmark in
            var messages = 0
            for _ in benchmark.scaledIterations {
                let channel = EmbeddedChannel(handler: ByteToMessageHandler(RTMPChunkDecoder()))
                var remaining = input
                while let read = remaining.readSlice(length: min(65_536, remaining.readableBytes)), read.readableBytes > 0 {
                    try channel.writeInbound(read)
                    while let output = try channel.readInbound(as: RTMPChunkDecoder.Output.self) {
                        if case .message = output { messages += 1 }
                    }
                }
                _ = try channel.finish()
            }
            blackHole(messages)
        }
    }
}
