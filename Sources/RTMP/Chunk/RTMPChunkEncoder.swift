public import NIOCore

/// Writes RTMP messages as chunks: a type-0 header on the first chunk, type-3 headers on the
/// rest. Every message is self-contained, so per-connection control messages and the shared,
/// pre-framed media (``RTMPSegmentFramer``) can be interleaved freely on
/// one connection. The chunk layout is written by one raw writer (``writeChunks``), which the
/// framers also use to fill shared storage in place.
public struct RTMPChunkEncoder: Sendable {
    public var chunkSize: Int

    public init(chunkSize: Int = 128) {
        self.chunkSize = chunkSize
    }

    /// Bytes of the basic header for `csid` (RTMP spec 5.3.1.1).
    static func basicHeaderSize(_ csid: UInt32) -> Int {
        csid < 64 ? 1 : (csid < 320 ? 2 : 3)
    }

    /// Bytes a message of `length` payload bytes takes as chunks of `chunkSize` on `csid`: one
    /// type-0 header, then a type-3 header (plus the extended timestamp) per further chunk.
    static func encodedSize(length: Int, timestamp: UInt32, csid: UInt32, chunkSize: Int) -> Int {
        let basic = basicHeaderSize(csid)
        let extended = timestamp >= 0xFF_FFFF ? 4 : 0
        let continuations = length == 0 ? 0 : (length - 1) / chunkSize
        return basic + 11 + extended + length + continuations * (basic + extended)
    }

    /// Writes a basic header at `p`; returns its size.
    static func writeBasicHeader(format: UInt8, csid: UInt32, to p: UnsafeMutableRawPointer) -> Int {
        if csid < 64 {
            p.storeBytes(of: format << 6 | UInt8(csid), as: UInt8.self)
            return 1
        } else if csid < 320 {
            p.storeBytes(of: format << 6, as: UInt8.self)
            p.storeBytes(of: UInt8(csid - 64), toByteOffset: 1, as: UInt8.self)
            return 2
        }
        p.storeBytes(of: format << 6 | 1, as: UInt8.self)
        p.storeBytes(of: UInt16(csid - 64).littleEndian, toByteOffset: 1, as: UInt16.self)
        return 3
    }

    static func writeBasicHeader(format: UInt8, csid: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 3) {
            writeBasicHeader(format: format, csid: csid, to: $0.baseAddress!)
        }
    }

    /// Writes the type-0 header of a message (basic header, message header, extended timestamp)
    /// at `p`; returns its size.
    static func writeMessageHeader(
        csid: UInt32, timestamp: UInt32, length: Int, typeID: UInt8, streamID: UInt32, to p: UnsafeMutableRawPointer
    ) -> Int {
        let at = writeBasicHeader(format: 0, csid: csid, to: p)
        let ts = min(timestamp, 0xFF_FFFF)
        p.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 16), toByteOffset: at, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: ts >> 8), toByteOffset: at + 1, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: ts), toByteOffset: at + 2, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: length >> 16), toByteOffset: at + 3, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: length >> 8), toByteOffset: at + 4, as: UInt8.self)
        p.storeBytes(of: UInt8(truncatingIfNeeded: length), toByteOffset: at + 5, as: UInt8.self)
        p.storeBytes(of: typeID, toByteOffset: at + 6, as: UInt8.self)
        p.storeBytes(of: streamID.littleEndian, toByteOffset: at + 7, as: UInt32.self)
        guard timestamp >= 0xFF_FFFF else { return at + 11 }
        p.storeBytes(of: timestamp.bigEndian, toByteOffset: at + 11, as: UInt32.self)
        return at + 15
    }

    /// Writes `payload` as chunks at `out` (``encodedSize`` bytes): the type-0 header, then up to
    /// `chunkSize` bytes per chunk, each continuation behind a type-3 header.
    static func writeChunks(
        of payload: UnsafeRawBufferPointer, csid: UInt32, timestamp: UInt32, typeID: UInt8, streamID: UInt32,
        chunkSize: Int, to out: UnsafeMutableRawPointer
    ) {
        var position = writeMessageHeader(
            csid: csid, timestamp: timestamp, length: payload.count, typeID: typeID, streamID: streamID, to: out
        )
        var offset = 0
        while offset < payload.count {
            if offset > 0 {
                position += writeBasicHeader(format: 3, csid: csid, to: out + position)
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

    /// Appends `message` to `buffer` as chunks on chunk stream `csid`.
    public func encode(_ message: RTMPMessage, csid: UInt32, into buffer: inout ByteBuffer) {
        let size = Self.encodedSize(
            length: message.payload.readableBytes, timestamp: message.timestamp, csid: csid, chunkSize: chunkSize
        )
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            message.payload.withUnsafeReadableBytes { payload in
                Self.writeChunks(
                    of: payload, csid: csid, timestamp: message.timestamp, typeID: message.typeID,
                    streamID: message.streamID, chunkSize: chunkSize, to: out.baseAddress!
                )
            }
            return size
        }
    }
}
