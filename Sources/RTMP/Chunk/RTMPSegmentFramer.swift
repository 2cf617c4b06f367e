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
    /// The message stream ID players are given by createStream.
    public static let playStreamID: UInt32 = 1

    /// The chunk stream each kind of media goes out on (a type-0 header per message, so framed
    /// media interleaves freely with a connection's own messages).
    public static func chunkStream(for kind: MediaMessage.Kind) -> UInt32 {
        switch kind {
        case .audio: return RTMPChunkStreamID.audio
        case .video: return RTMPChunkStreamID.video
        case .metadata: return RTMPChunkStreamID.data
        }
    }

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

    public func frame(_ message: inout MediaMessage) {
        let csid = Self.chunkStream(for: message.kind)
        let length = message.payload.readableBytes
        let size = RTMPChunkEncoder.encodedSize(length: length, timestamp: message.timestamp, csid: csid, chunkSize: chunkSize)
        if segment.capacity - end < size {
            segment = allocator.buffer(capacity: max(segmentCapacity, size))
            end = 0
        }
        let start = end
        // Bytes at and after `end` belong to the framer: every ByteBuffer handed out so far
        // ends at or before `end`, so no reader sees them, and writing them in place keeps the
        // storage shared (ByteBuffer's own writes would copy it).
        segment.withVeryUnsafeBytes { storage in
            message.payload.withUnsafeReadableBytes { payload in
                RTMPChunkEncoder.writeChunks(
                    of: payload, csid: csid, timestamp: message.timestamp, typeID: message.kind.rawValue,
                    streamID: Self.playStreamID, chunkSize: chunkSize,
                    to: UnsafeMutableRawPointer(mutating: storage.baseAddress!) + start
                )
            }
        }
        end = start + size
        var wire = segment
        wire.moveWriterIndex(to: end)
        wire.moveReaderIndex(to: start)
        let headerSize = size - length
        if length <= chunkSize, let payload = wire.getSlice(at: start + headerSize, length: length) {
            // One chunk: the payload is a contiguous part of the wire bytes, so every reader
            // (transcoders, SRT, the GOP cache) shares the segment and the input buffer is freed.
            message.payload = payload
        }
        message.wire = wire
    }
}
