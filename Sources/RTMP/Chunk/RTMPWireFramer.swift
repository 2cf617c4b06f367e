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
        let headerSize = 12 + (message.timestamp >= 0xFF_FFFF ? 4 : 0)
        let start = message.payload.readerIndex
        if length <= chunkSize, start >= headerSize, csid < 64 {
            // The headroom in front of the payload belongs to the framer: no reader of the
            // payload (whose readable bytes start at `start`) sees it, and the message is not
            // shared with players yet, so the header is written there without copy-on-write.
            message.payload.withVeryUnsafeBytes { storage in
                let header = UnsafeMutableRawPointer(mutating: storage.baseAddress!) + (start - headerSize)
                Self.writeType0Header(
                    to: header, csid: csid, timestamp: message.timestamp, length: length,
                    typeID: message.kind.rawValue
                )
            }
            var wire = message.payload
            wire.moveReaderIndex(to: start - headerSize)
            message.wire = wire
            return
        }
        let encoder = RTMPChunkEncoder(chunkSize: chunkSize)
        var wire = ByteBuffer()
        wire.reserveCapacity(length + headerSize + (length / chunkSize + 1) * 5)
        encoder.encode(
            RTMPMessage(typeID: message.kind.rawValue, streamID: Self.playStreamID, timestamp: message.timestamp, payload: message.payload),
            csid: csid, into: &wire
        )
        message.wire = wire
    }

    /// Writes a type-0 chunk header (plus extended timestamp) for a one-chunk message.
    static func writeType0Header(
        to p: UnsafeMutableRawPointer, csid: UInt32, timestamp: UInt32, length: Int, typeID: UInt8
    ) {
        let ts = min(timestamp, 0xFF_FFFF)
        p.storeBytes(of: UInt8(csid), as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 16), toByteOffset: 1, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 8), toByteOffset: 2, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: ts), toByteOffset: 3, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: length >> 16), toByteOffset: 4, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: length >> 8), toByteOffset: 5, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: 6, as: UInt8.self)
        p.storeBytes(of: typeID, toByteOffset: 7, as: UInt8.self)
        p.storeBytes(of: playStreamID.littleEndian, toByteOffset: 8, as: UInt32.self)
        if timestamp >= 0xFF_FFFF {
            p.storeBytes(of: timestamp.bigEndian, toByteOffset: 12, as: UInt32.self)
        }
    }
}
