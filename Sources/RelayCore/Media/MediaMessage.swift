public import NIOCore

/// One media message as the relay carries it: an FLV tag body (the payload of an RTMP audio,
/// video or data message) with its timestamp in milliseconds.
///
/// `payload` is shared, never copied, by every subscriber. `wire` is the same message already
/// framed for RTMP players, once per stream, in the stream's segment (`RTMPSegmentFramer`); a
/// one-chunk message's payload is then a view of the same segment.
public struct MediaMessage: Sendable {
    public enum Kind: UInt8, Sendable {
        case audio = 8
        case video = 9
        case metadata = 18
    }

    public let kind: Kind
    public var timestamp: UInt32
    public var payload: ByteBuffer
    /// RTMP framing of this message, set once by the stream's framer before fan-out.
    public var wire: ByteBuffer?
    /// The framer's segment `wire` is a view of (nonzero, unique in the process; 0: a buffer of
    /// its own), so a player's consecutive views of one segment go out as one buffer.
    public var wireSegment: UInt64 = 0
    /// The FLV tag header and PreviousTagSize (``FLVTag/framing(for:)``), set once by a stream
    /// that has HTTP-FLV players; nil otherwise.
    public var flvFraming: ByteBuffer?
    public let isKeyframe: Bool
    public let isSequenceHeader: Bool

    public init(kind: Kind, timestamp: UInt32, payload: ByteBuffer) {
        self.kind = kind
        self.timestamp = timestamp
        self.payload = payload
        self.wire = nil
        self.flvFraming = nil
        let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) ?? 0
        let second = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self)
        switch kind {
        case .video:
            if first & 0x80 != 0 {
                // Enhanced RTMP: frame type in bits 4-6, packet type in the low nibble.
                self.isKeyframe = (first >> 4) & 0x07 == 1
                self.isSequenceHeader = first & 0x0F == 0
            } else {
                self.isKeyframe = first >> 4 == 1
                // AVC (7) and HEVC (12, legacy extension) carry a packet type byte; 0 = config.
                let codec = first & 0x0F
                self.isSequenceHeader = (codec == 7 || codec == 12) && second == 0
            }
        case .audio:
            self.isKeyframe = false
            self.isSequenceHeader = first >> 4 == 10 && second == 0
        case .metadata:
            self.isKeyframe = false
            self.isSequenceHeader = false
        }
    }

    /// Payload size in bytes.
    @inlinable public var size: Int { payload.readableBytes }

    /// Bytes that go on the wire for RTMP players.
    @inlinable public var wireSize: Int { wire?.readableBytes ?? payload.readableBytes }

    /// Allocates a payload buffer for producers (the one allocation of a message's bytes).
    public static func allocatePayload(capacity: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(capacity: capacity)
    }
}

/// Prepares the protocol framing of a message once, before it is shared with subscribers.
public typealias MessageFramer = @Sendable (inout MediaMessage) -> Void
