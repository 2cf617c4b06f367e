import NIOCore
public import RelayCore
import Synchronization

/// Frames one stream's media for RTMP players into shared, contiguous segments: each message's
/// chunks are written once, right after the previous message's, into a segment buffer that
/// every player of the stream reads (an ``RTMPSegment``). A player's queued messages are then
/// adjacent views of one segment (same `wireSegment`), and ``RTMPConnectionHandler`` hands
/// them to the socket as one buffer (one pipeline write, one iovec) instead of one per message.
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
    private var segment: RTMPSegment?

    public init(chunkSize: Int, segmentCapacity: Int = 128 << 10) {
        self.chunkSize = chunkSize
        self.segmentCapacity = segmentCapacity
    }

    public func frame(_ message: inout MediaMessage) {
        let csid = Self.chunkStream(for: message.kind)
        let length = message.payload.readableBytes
        let size = RTMPChunkEncoder.encodedSize(length: length, timestamp: message.timestamp, csid: csid, chunkSize: chunkSize)
        if segment == nil || segment!.free < size {
            segment = RTMPSegment(capacity: max(segmentCapacity, size), allocator: allocator)
        }
        let (timestamp, typeID, chunkSize) = (message.timestamp, message.kind.rawValue, self.chunkSize)
        let wire = message.payload.withUnsafeReadableBytes { payload in
            segment!.append(size: size) { destination in
                RTMPChunkEncoder.writeChunks(
                    of: payload, csid: csid, timestamp: timestamp, typeID: typeID, streamID: Self.playStreamID,
                    chunkSize: chunkSize, to: destination
                )
            }
        }
        let headerSize = size - length
        if length <= chunkSize, let payload = wire.getSlice(at: wire.readerIndex + headerSize, length: length) {
            // One chunk: the payload is a contiguous part of the wire bytes, so every reader
            // (transcoders, SRT, the GOP cache) shares the segment and the input buffer is freed.
            message.payload = payload
        }
        message.wire = wire
        message.wireSegment = segment!.id
    }
}

/// One segment of a stream's framed media, owned by its ``RTMPSegmentFramer``: messages are
/// written into it one after another, each exactly once, and each handed out as a read-only
/// view of its own bytes. Every view ends at or before `end` and bytes are written only past
/// `end`, so the bytes of a view never change once it exists (the storage stays shared:
/// ByteBuffer's own writes would copy it, the views keep it alive).
struct RTMPSegment {
    /// Unique in the process, never 0: what tells a player that two views are of one segment.
    let id: UInt64
    private let storage: ByteBuffer
    private(set) var end = 0

    private static let lastID = Atomic<UInt64>(0)

    init(capacity: Int, allocator: ByteBufferAllocator) {
        id = Self.lastID.add(1, ordering: .relaxed).newValue
        storage = allocator.buffer(capacity: capacity)
    }

    var free: Int { storage.capacity - end }

    /// Writes `size` bytes past `end` (`write` gets where they start) and returns the view of them.
    mutating func append(size: Int, _ write: (UnsafeMutableRawPointer) -> Void) -> ByteBuffer {
        precondition(size <= free, "an RTMP segment is never written past its capacity")
        let start = end
        storage.withVeryUnsafeBytes { bytes in write(UnsafeMutableRawPointer(mutating: bytes.baseAddress!) + start) }
        end = start + size
        var view = storage
        view.moveWriterIndex(to: end)
        view.moveReaderIndex(to: start)
        return view
    }
}
