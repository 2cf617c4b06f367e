public import NIOCore
import RelayCore

/// Reassembles RTMP messages from the chunk stream (RTMP spec 5.3): all four chunk header
/// formats, extended timestamps, Set Chunk Size and Abort. It also tracks bytes received and
/// says when an Acknowledgement is due under the peer's Window Acknowledgement Size.
///
/// Protocol control messages that change how chunks are parsed (1, 2, 5) are applied here and
/// not passed on. Everything else comes out as ``RTMPChunkDecoder/Output/message(_:)``.
public struct RTMPChunkDecoder: ByteToMessageDecoder {
    public enum Output: Sendable {
        case message(RTMPMessage)
        /// Send an Acknowledgement carrying this sequence number (bytes received so far).
        case acknowledgement(UInt32)
    }
    public typealias InboundOut = Output

    public static let maxChunkSize: UInt32 = 0xFF_FFFF
    public static let maxChunkStreams = 64

    private struct ChunkStream {
        var timestamp: UInt32 = 0
        var delta: UInt32 = 0
        var length: Int = 0
        var typeID: UInt8 = 0
        var streamID: UInt32 = 0
        var extendedTimestamp: UInt32?
        var seenHeader = false
    }

    public private(set) var chunkSize: UInt32 = 128
    public let maxMessageSize: Int
    /// The server's limit, small until a publish is allowed; nil: `maxMessageSize` always.
    private let limit: RTMPMessageLimit?
    private var streams: [UInt32: ChunkStream] = [:]
    /// Messages being reassembled, by chunk stream; kept apart from the headers so the buffers
    /// are uniquely referenced while chunks are appended (no copy-on-write).
    private var partials: [UInt32: ByteBuffer] = [:]
    /// Bytes held in `partials`: all unfinished messages together stay within `maxMessageSize`,
    /// so 64 chunk streams cannot each hold a message's worth.
    private var partialBytes = 0
    private let allocator = ByteBufferAllocator()
    private var bytesReceived: UInt64 = 0
    private var lastAcknowledged: UInt64 = 0
    private var windowSize: UInt32 = 0

    public init(maxMessageSize: Int = 16 << 20) {
        self.maxMessageSize = maxMessageSize
        limit = nil
    }

    /// A server connection's decoder: messages within `limit.current`, which its handler raises
    /// to `limit.afterAuthorization` once a publish is allowed.
    public init(limit: RTMPMessageLimit) {
        self.maxMessageSize = limit.afterAuthorization
        self.limit = limit
    }

    /// The limit now, and the error exceeding it throws.
    private func exceeded(_ bytes: Int, buffered: Bool) -> RTMPProtocolError {
        if let limit, !limit.isRaised { return .tooLargeBeforeAuthorization(bytes, limit: limit.current) }
        return buffered ? .tooMuchBuffered(bytes) : .messageTooLarge(bytes)
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let before = buffer.readerIndex
        let result = try decodeChunk(buffer: &buffer)
        bytesReceived &+= UInt64(buffer.readerIndex - before)
        if let message = result {
            if let output = try apply(message) {
                context.fireChannelRead(wrapInboundOut(output))
            }
        }
        if windowSize > 0, bytesReceived - lastAcknowledged >= UInt64(windowSize) {
            lastAcknowledged = bytesReceived
            context.fireChannelRead(wrapInboundOut(.acknowledgement(UInt32(truncatingIfNeeded: bytesReceived))))
        }
        return buffer.readerIndex == before ? .needMoreData : .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// Applies protocol control messages; returns what should be passed on.
    private mutating func apply(_ message: RTMPMessage) throws -> Output? {
        switch message.type {
        case .setChunkSize:
            guard let raw = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw RTMPProtocolError.malformedMessage("Set Chunk Size without a size")
            }
            let size = raw & 0x7FFF_FFFF
            guard size >= 1, size <= Self.maxChunkSize else { throw RTMPProtocolError.invalidChunkSize(size) }
            chunkSize = size
            return nil
        case .abort:
            guard let csid = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw RTMPProtocolError.malformedMessage("Abort without a chunk stream")
            }
            if let dropped = partials.removeValue(forKey: csid) { partialBytes -= dropped.readableBytes }
            return nil
        case .windowAcknowledgementSize:
            guard let size = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw RTMPProtocolError.malformedMessage("Window Acknowledgement Size without a size")
            }
            windowSize = size
            return nil
        case .some:
            return .message(message)
        case .none:
            throw RTMPProtocolError.unknownMessageType(message.typeID)
        }
    }

    /// Parses one chunk. Returns a message when the chunk completed one; consumes nothing when
    /// the chunk is not complete in `buffer` yet.
    mutating func decodeChunk(buffer: inout ByteBuffer) throws -> RTMPMessage? {
        var view = buffer
        guard let first = view.readInteger(as: UInt8.self) else { return nil }
        let format = first >> 6
        var csid = UInt32(first & 0x3F)
        if csid == 0 {
            guard let b = view.readInteger(as: UInt8.self) else { return nil }
            csid = 64 + UInt32(b)
        } else if csid == 1 {
            guard let b0 = view.readInteger(as: UInt8.self), let b1 = view.readInteger(as: UInt8.self) else { return nil }
            csid = 64 + UInt32(b0) + UInt32(b1) * 256
        }

        var stream = streams[csid] ?? ChunkStream()
        if streams[csid] == nil, streams.count >= Self.maxChunkStreams {
            throw RTMPProtocolError.tooManyChunkStreams
        }
        let startsMessage = partials[csid] == nil
        var timestampField: UInt32 = 0

        switch format {
        case 0:
            guard view.readableBytes >= 11 else { return nil }
            timestampField = view.readUInt24()
            let length = Int(view.readUInt24())
            let typeID = view.readInteger(as: UInt8.self)!
            let streamID = view.readInteger(endianness: .little, as: UInt32.self)!
            guard startsMessage else { throw RTMPProtocolError.headerChangedMidMessage(chunkStream: csid) }
            stream.length = length
            stream.typeID = typeID
            stream.streamID = streamID
        case 1:
            guard view.readableBytes >= 7 else { return nil }
            timestampField = view.readUInt24()
            let length = Int(view.readUInt24())
            let typeID = view.readInteger(as: UInt8.self)!
            guard stream.seenHeader else { throw RTMPProtocolError.continuationWithoutMessage(chunkStream: csid) }
            guard startsMessage else { throw RTMPProtocolError.headerChangedMidMessage(chunkStream: csid) }
            stream.length = length
            stream.typeID = typeID
        case 2:
            guard view.readableBytes >= 3 else { return nil }
            timestampField = view.readUInt24()
            guard stream.seenHeader else { throw RTMPProtocolError.continuationWithoutMessage(chunkStream: csid) }
            guard startsMessage else { throw RTMPProtocolError.headerChangedMidMessage(chunkStream: csid) }
        default:
            guard stream.seenHeader else { throw RTMPProtocolError.continuationWithoutMessage(chunkStream: csid) }
        }

        // Extended timestamp (5.3.1.3).
        var extended: UInt32?
        if format < 3 {
            if timestampField == 0xFF_FFFF {
                guard let ext = view.readInteger(as: UInt32.self) else { return nil }
                extended = ext
            }
        } else if let previous = stream.extendedTimestamp {
            // Type 3 chunks repeat the extended timestamp in most encoders, not in all: accept both.
            guard let peek = view.getInteger(at: view.readerIndex, as: UInt32.self) else { return nil }
            if peek == previous { view.moveReaderIndex(forwardBy: 4) }
            extended = previous
        }

        let messageLimit = limit?.current ?? maxMessageSize
        guard stream.length <= messageLimit else { throw exceeded(stream.length, buffered: false) }

        if startsMessage {
            // Timestamp of the new message.
            switch format {
            case 0:
                stream.timestamp = extended ?? timestampField
                stream.delta = stream.timestamp
                stream.extendedTimestamp = extended
            case 1, 2:
                stream.delta = extended ?? timestampField
                stream.timestamp &+= stream.delta
                stream.extendedTimestamp = extended
            default:
                stream.timestamp &+= stream.delta
            }
        }

        let received = partials[csid]?.readableBytes ?? 0
        let chunkLength = min(Int(chunkSize), stream.length - received)
        guard view.readableBytes >= chunkLength else { return nil }
        guard partialBytes + chunkLength <= messageLimit else {
            throw exceeded(partialBytes + chunkLength, buffered: true)
        }

        // The whole chunk is here: commit.
        stream.seenHeader = true
        streams[csid] = stream
        var partial: ByteBuffer
        if startsMessage {
            let initial = min(stream.length, 64 * 1024)
            switch stream.typeID {
            case RTMPMessageType.audio.rawValue, RTMPMessageType.video.rawValue, RTMPMessageType.amf0Data.rawValue:
                partial = MediaMessage.allocatePayload(capacity: initial, allocator: allocator)
            default:
                partial = allocator.buffer(capacity: initial)
            }
        } else {
            partial = partials.removeValue(forKey: csid)!
        }
        if chunkLength > 0 {
            var slice = view.readSlice(length: chunkLength)!
            partial.writeBuffer(&slice)
        }
        buffer = view

        if partial.readableBytes == stream.length {
            partialBytes -= received
            return RTMPMessage(typeID: stream.typeID, streamID: stream.streamID, timestamp: stream.timestamp, payload: partial)
        }
        partialBytes += chunkLength
        partials[csid] = partial
        return nil
    }
}

extension ByteBuffer {
    mutating func readUInt24() -> UInt32 {
        let b0 = UInt32(readInteger(as: UInt8.self)!)
        let b1 = UInt32(readInteger(as: UInt8.self)!)
        let b2 = UInt32(readInteger(as: UInt8.self)!)
        return b0 << 16 | b1 << 8 | b2
    }
}
