import Foundation
import Media
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import RelayCore
import Transcode

/// Frames per second of the in-process ladder (decode once, scale and encode every rung with
/// libx264) as relayd runs it: a real `StreamRegistry`, a `TranscoderPool` and one watching
/// subscriber per rung. The source is an FLV file published as fast as the transcoder takes it.
///
///   TranscodeBench <source.flv> [preset] [--rungs 480p,360p] [--rung-preset 480p=superfast]
///                  [--threads N] [--source-serves-its-size] [--out DIR]
/// Prints one line: frames, seconds, fps, CPU seconds. `--rungs` keeps only those rungs of the
/// default ladder; `--rung-preset` sets one rung's x264 preset; `--threads` x264's threads per
/// rung (0: x264 decides); `--source-serves-its-size` leaves the source-sized rung to the
/// source; `--out` writes each rung's video to DIR/<rung>.flv (for PSNR/SSIM).
@main
struct TranscodeBench {
    final class Counter: StreamSubscriber, @unchecked Sendable {
        let frames = NIOLockedValueBox(0)
        /// The rung's video as an FLV file, when asked for.
        let file: FLVVideoFile?
        init(file: FLVVideoFile?) { self.file = file }
        func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
            guard case .media(let m) = item, m.kind == .video else { return }
            file?.write(m)
            if !m.isSequenceHeader { frames.withLockedValue { $0 += 1 } }
        }
    }

    final class Publisher: StreamPublisher { func evict(reason: String) {} }

    static func main() throws {
        guard let options = BenchOptions(CommandLine.arguments) else {
            FileHandle.standardError.write(
                Data("usage: TranscodeBench <source.flv> [preset] [--rungs a,b] [--rung-preset rung=preset] [--threads N] [--out DIR]\n".utf8))
            exit(2)
        }
        let tags = try FLVTags.read(options.source)
        let loop = EmbeddedEventLoop()
        let registry = StreamRegistry(timerLoop: loop)
        let ladder = Rendition.defaultLadder.filter { options.rungs?.contains($0.name) ?? true }
        let directory = RenditionDirectory(ladderNames: Set(ladder.map(\.name)))
        let settings = TranscodeSettings(
            ladder: ladder, preset: options.preset, tune: "zerolatency", gopSeconds: 2, maxQueuedFrames: 1 << 20,
            rungPresets: options.rungPresets, encoderThreads: options.threads,
            sourceServesItsSize: options.sourceServesItsSize
        )
        let pool = TranscoderPool(registry: registry, directory: directory, settings: settings, logger: .init(label: "bench"))
        pool.install()
        let source = StreamKey(app: "live", name: "bench")
        let counters = ladder.map { rung -> Counter in
            let counter = Counter(file: options.outputDirectory.map { FLVVideoFile(path: "\($0)/\(rung.name).flv") })
            registry.attachSubscriber(counter, to: Rendition.streamKey(source: source, rendition: rung.name))
            return counter
        }
        let videoFrames = tags.filter { $0.kind == .video && !$0.isSequenceHeader }.count
        let cpuStart = cpuSeconds()
        let start = Date()
        let session = registry.attachPublisher(Publisher(), to: source)
        for tag in tags { session.publish(tag) }
        // Rungs above the source's size are skipped: wait for those being produced, until they have
        // every frame (the decoder keeps its last reordered frames: a few short) or stop progressing.
        var produced: [Counter] = []
        var last = (frames: -1, at: Date())
        while Date().timeIntervalSince(last.at) < 3 {
            Thread.sleep(forTimeInterval: 0.01)
            let rungs = directory.renditions(for: source).map(\.name)
            produced = zip(ladder, counters).filter { rungs.contains($0.0.name) }.map(\.1)
            let least = produced.map { $0.frames.withLockedValue { $0 } }.min() ?? 0
            if least != last.frames { last = (least, Date()) }
            if !produced.isEmpty, least >= videoFrames - 8 { break }
        }
        let end = last.at
        let seconds = end.timeIntervalSince(start)
        let cpu = cpuSeconds() - cpuStart
        let done = produced.map { $0.frames.withLockedValue { $0 } }.min() ?? 0
        print(
            String(
                format: "inprocess frames=%d rungs=%d seconds=%.2f fps=%.1f cpu_seconds=%.2f", done, produced.count, seconds, Double(done) / seconds,
                cpu))
        session.end()
        pool.stopAll()
        for counter in counters { counter.file?.close() }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// The tags of an FLV file as the relay's media messages.
enum FLVTags {
    static func read(_ path: String) throws -> [MediaMessage] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var offset = 13
        var out: [MediaMessage] = []
        let allocator = ByteBufferAllocator()
        while offset + 11 <= bytes.count {
            let type = bytes[offset] & 0x1F
            let size = Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let ts = UInt32(bytes[offset + 7]) << 24 | UInt32(bytes[offset + 4]) << 16 | UInt32(bytes[offset + 5]) << 8 | UInt32(bytes[offset + 6])
            let body = offset + 11
            guard body + size <= bytes.count else { break }
            if let kind = MediaMessage.Kind(rawValue: type), kind != .metadata {
                var payload = MediaMessage.allocatePayload(capacity: size, allocator: allocator)
                payload.writeBytes(bytes[body..<body + size])
                out.append(MediaMessage(kind: kind, timestamp: ts, payload: payload))
            }
            offset = body + size + 4
        }
        return out
    }
}
