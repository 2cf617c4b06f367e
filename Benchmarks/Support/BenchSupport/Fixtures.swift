import Foundation
import NIOCore
import RTMP
import RelayCore

/// Media for the benchmarks: the tags of a real H.264/AAC FLV (the same 720p test stream the
/// load test publishes), generated once with ffmpeg and cached.
public enum BenchFixtures {
    /// `BENCH_FLV`, else `$TMPDIR/classroomrelay-bench/stream-720p.flv` (made with ffmpeg if missing).
    public static func flvPath() -> String {
        if let path = ProcessInfo.processInfo.environment["BENCH_FLV"] { return path }
        let dir = (ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp") + "/classroomrelay-bench"
        let path = dir + "/stream-720p.flv"
        if FileManager.default.fileExists(atPath: path) { return path }
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ffmpeg.arguments = [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-b:v", "1800k", "-maxrate", "2000k", "-bufsize", "2000k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "96k", "-f", "flv", path + ".tmp",
        ]
        do {
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
        } catch {
            fatalError("ffmpeg is needed to make \(path): \(error)")
        }
        guard ffmpeg.terminationStatus == 0 else { fatalError("ffmpeg failed making \(path)") }
        try? FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
        return path
    }

    public struct Tag {
        public let type: UInt8
        public let timestamp: UInt32
        public let body: ByteBuffer
    }

    /// Audio, video and data tags of the FLV, in file order.
    public static func tags(path: String = flvPath()) -> [Tag] {
        guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
        var buffer = ByteBuffer(bytes: data)
        buffer.moveReaderIndex(to: 5)
        let offset = Int(buffer.readInteger(as: UInt32.self)!)
        buffer.moveReaderIndex(to: offset + 4)
        var tags: [Tag] = []
        while buffer.readableBytes >= 11 {
            let header = buffer.readBytes(length: 11)!
            let type = header[0] & 0x1F
            let size = Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
            let timestamp = UInt32(header[7]) << 24 | UInt32(header[4]) << 16 | UInt32(header[5]) << 8 | UInt32(header[6])
            guard let body = buffer.readSlice(length: size) else { break }
            buffer.moveReaderIndex(forwardBy: 4)
            if type == 8 || type == 9 || type == 18 { tags.append(Tag(type: type, timestamp: timestamp, body: body)) }
        }
        return tags
    }

    /// The tags as relay media messages, each payload allocated once
    /// (as the chunk decoder does for a publisher).
    public static func mediaMessages(_ tags: [Tag]) -> [MediaMessage] {
        let allocator = ByteBufferAllocator()
        return tags.compactMap { tag in
            guard let kind = MediaMessage.Kind(rawValue: tag.type) else { return nil }
            var payload = MediaMessage.allocatePayload(capacity: tag.body.readableBytes, allocator: allocator)
            var body = tag.body
            payload.writeBuffer(&body)
            return MediaMessage(kind: kind, timestamp: tag.timestamp, payload: payload)
        }
    }

    /// The stream as a publisher sends it after the handshake: Set Chunk Size, then every tag
    /// chunked at `chunkSize` on its chunk stream (ffmpeg/OBS use 4096).
    public static func publisherChunkStream(_ tags: [Tag], chunkSize: Int = 4096) -> ByteBuffer {
        var out = ByteBuffer()
        var control = ByteBuffer()
        control.writeInteger(UInt32(chunkSize))
        RTMPChunkEncoder(chunkSize: 128).encode(RTMPMessage(type: .setChunkSize, payload: control), csid: 2, into: &out)
        let encoder = RTMPChunkEncoder(chunkSize: chunkSize)
        for tag in tags {
            let csid: UInt32 = tag.type == 9 ? 6 : (tag.type == 8 ? 4 : 5)
            encoder.encode(RTMPMessage(typeID: tag.type, streamID: 1, timestamp: tag.timestamp, payload: tag.body), csid: csid, into: &out)
        }
        return out
    }
}
