import NIOCore
import RelayCore

/// Builds FLV tag bodies the way producers do (one payload allocation each).
public enum TestMedia {
    public static func message(_ kind: MediaMessage.Kind, _ head: [UInt8], size: Int? = nil, ts: UInt32 = 0) -> MediaMessage {
        let total = max(size ?? head.count, head.count)
        var buffer = MediaMessage.allocatePayload(capacity: total, allocator: ByteBufferAllocator())
        buffer.writeBytes(head)
        buffer.writeRepeatingByte(0xAB, count: total - head.count)
        return MediaMessage(kind: kind, timestamp: ts, payload: buffer)
    }

    public static func keyframe(ts: UInt32 = 0, size: Int = 16) -> MediaMessage {
        message(.video, [0x17, 0x01, 0, 0, 0], size: size, ts: ts)
    }

    public static func interframe(ts: UInt32 = 0, size: Int = 16) -> MediaMessage {
        message(.video, [0x27, 0x01, 0, 0, 0], size: size, ts: ts)
    }

    public static func videoHeader(ts: UInt32 = 0) -> MediaMessage {
        message(.video, [0x17, 0x00, 0, 0, 0, 0x01, 0x64, 0x00, 0x1F], ts: ts)
    }

    public static func audioHeader(ts: UInt32 = 0) -> MediaMessage {
        message(.audio, [0xAF, 0x00, 0x12, 0x10], ts: ts)
    }

    public static func audio(ts: UInt32 = 0, size: Int = 8) -> MediaMessage {
        message(.audio, [0xAF, 0x01], size: size, ts: ts)
    }

    public static func metadata(ts: UInt32 = 0) -> MediaMessage {
        message(.metadata, [0x02, 0x00, 0x0A] + Array("onMetaData".utf8) + [0x05], ts: ts)
    }
}
