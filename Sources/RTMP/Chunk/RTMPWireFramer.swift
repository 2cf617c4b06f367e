import NIOCore
import RelayCore

/// Frames a stream's media once for every RTMP player: the message goes out on a fixed chunk
/// stream with a type-0 header, written in place into the payload's headroom when the message
/// fits in one chunk (the common case: zero extra allocation, one iovec per message), or into
/// one new buffer otherwise (large keyframes).
public struct RTMPWireFramer: Sendable {
    /// The chunk size every player is told at connect (Set Chunk Size).
    public let chunkSize: Int
    /// The message stream ID players are given by createStream.
    public static let playStreamID: UInt32 = 1

    public init(chunkSize: Int) {
        self.chunkSize = chunkSize
    }

    public static func chunkStream(for kind: MediaMessage.Kind) -> UInt32 {
        switch kind {
        case .audio: return RTMPChunkStreamID.audio
        case .video: return RTMPChunkStreamID.video
        case .metadata: return RTMPChunkStreamID.data
        }
    }

    public func frame(_ message: inout MediaMessage) {
        let csid = Self.chunkStream(for: message.kind)
        let length = message.payload.readableBytes
        let headerSize = RTMPChunkEncoder.encodedSize(length: 0, timestamp: message.timestamp, csid: csid, chunkSize: chunkSize)
        let start = message.payload.readerIndex
        if length <= chunkSize, start >= headerSize {
            // The headroom in front of the payload belongs to the framer: no reader of the
            // payload (whose readable bytes start at `start`) sees it, and the message is not
            // shared with players yet, so the header is written there without copy-on-write.
            message.payload.withVeryUnsafeBytes { storage in
                _ = RTMPChunkEncoder.writeMessageHeader(
                    csid: csid, timestamp: message.timestamp, length: length, typeID: message.kind.rawValue,
                    streamID: Self.playStreamID,
                    to: UnsafeMutableRawPointer(mutating: storage.baseAddress!) + (start - headerSize)
                )
            }
            var wire = message.payload
            wire.moveReaderIndex(to: start - headerSize)
            message.wire = wire
            return
        }
        var wire = ByteBuffer()
        RTMPChunkEncoder(chunkSize: chunkSize).encode(
            RTMPMessage(typeID: message.kind.rawValue, streamID: Self.playStreamID, timestamp: message.timestamp, payload: message.payload),
            csid: csid, into: &wire
        )
        message.wire = wire
    }
}
