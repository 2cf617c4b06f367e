import NIOCore
import RelayCore

/// Frames one stream's media for RTMP players into shared, contiguous segments: each message's
/// chunks are written once, right after the previous message's, into a segment buffer that
/// every player of the stream reads. A player's queued messages are then adjacent bytes of one
/// storage, and ``RTMPConnectionHandler`` hands them to the socket as one buffer (one pipeline
/// write, one iovec) instead of one per message.
///
/// One instance per stream, called under the stream's lock (see ``LiveStream``). The bytes are
/// copied once per stream, never per player. The first segment is allocated by the first
/// message (a stream that only has waiting players costs nothing), the next when it is full (at
/// 2 Mbit/s a 128 KiB segment lasts about half a second); messages keep their segment alive.
public final class RTMPSegmentFramer: @unchecked Sendable {
    public let chunkSize: Int
    public let segmentCapacity: Int
    private let allocator = ByteBufferAllocator()
    /// The current segment: its storage is shared with the framed messages, so it is never
    /// mutated through ByteBuffer (which would copy it); bytes past `end` are written in place.
    private var segment = ByteBuffer()
    private var end = 0

    public init(chunkSize: Int, segmentCapacity: Int = 128 << 10) {
        self.chunkSize = chunkSize
        self.segmentCapacity = segmentCapacity
    }

    /// Bytes the message takes on the wire: one type-0 header, a type-3 header per further chunk.
    static func wireSize(length: Int, timestamp: UInt32, chunkSize: Int) -> Int {
        let extended = timestamp >= 0xFF_FFFF ? 4 : 0
        let continuations = length == 0 ? 0 : (length - 1) / chunkSize
        return 12 + extended + length + continuations * (1 + extended)
    }

    public func frame(_ message: inout MediaMessage) {
        let csid = RTMPWireFramer.chunkStream(for: message.kind)
        let length = message.payload.readableBytes
        let size = Self.wireSize(length: length, timestamp: message.timestamp, chunkSize: chunkSize)
        if segment.capacity - end < size {
            segment = allocator.buffer(capacity: max(segmentCapacity, size))
            end = 0
        }
        let start = end
        // Bytes at and after `end` belong to the framer: every ByteBuffer handed out so far
        // ends at or before `end`, so no reader sees them, and writing them in place keeps the
        // storage shared (ByteBuffer's own writes would copy it).
        segment.withVeryUnsafeBytes { storage in
            let base = UnsafeMutableRawPointer(mutating: storage.baseAddress!) + start
            message.payload.withUnsafeReadableBytes { payload in
                Self.writeChunks(
                    of: payload, to: base, csid: UInt8(csid), timestamp: message.timestamp,
                    typeID: message.kind.rawValue, chunkSize: chunkSize
                )
            }
        }
        end = start + size
        var wire = segment
        wire.moveWriterIndex(to: end)
        wire.moveReaderIndex(to: start)
        let headerSize = 12 + (message.timestamp >= 0xFF_FFFF ? 4 : 0)
        if size == headerSize + length, let payload = wire.getSlice(at: start + headerSize, length: length) {
            // One chunk: the payload is a contiguous part of the wire bytes, so every reader
            // (transcoders, SRT, the GOP cache) shares the segment and the input buffer is freed.
            message.payload = payload
        }
        message.wire = wire
    }

    /// Writes `payload` as chunks: the type-0 header, then up to `chunkSize` bytes per chunk,
    /// each continuation behind a one-byte type-3 header (plus the extended timestamp).
    private static func writeChunks(
        of payload: UnsafeRawBufferPointer, to out: UnsafeMutableRawPointer, csid: UInt8, timestamp: UInt32,
        typeID: UInt8, chunkSize: Int
    ) {
        RTMPWireFramer.writeType0Header(
            to: out, csid: UInt32(csid), timestamp: timestamp, length: payload.count, typeID: typeID
        )
        var position = 12 + (timestamp >= 0xFF_FFFF ? 4 : 0)
        var offset = 0
        while offset < payload.count {
            if offset > 0 {
                out.storeBytes(of: 0xC0 | csid, toByteOffset: position, as: UInt8.self)
                position += 1
                if timestamp >= 0xFF_FFFF {
                    out.storeBytes(of: timestamp.bigEndian, toByteOffset: position, as: UInt32.self)
                    position += 4
                }
            }
            let count = min(chunkSize, payload.count - offset)
            (out + position).copyMemory(from: payload.baseAddress! + offset, byteCount: count)
            position += count
            offset += count
        }
    }
}
