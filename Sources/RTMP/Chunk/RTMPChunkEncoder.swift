import NIOCore

/// Writes RTMP messages as chunks: a type-0 header on the first chunk, type-3 headers on the
/// rest. Every message is self-contained, so per-connection control messages and the shared,
/// pre-framed media (``RTMPWireFramer``) can be interleaved freely on one connection.
public struct RTMPChunkEncoder: Sendable {
    public var chunkSize: Int

    public init(chunkSize: Int = 128) {
        self.chunkSize = chunkSize
    }

    /// Bytes of the basic header for `csid` (RTMP spec 5.3.1.1).
    static func basicHeaderSize(_ csid: UInt32) -> Int {
        csid < 64 ? 1 : (csid < 320 ? 2 : 3)
    }

    static func writeBasicHeader(format: UInt8, csid: UInt32, into buffer: inout ByteBuffer) {
        if csid < 64 {
            buffer.writeInteger(format << 6 | UInt8(csid))
        } else if csid < 320 {
            buffer.writeInteger(format << 6)
            buffer.writeInteger(UInt8(csid - 64))
        } else {
            buffer.writeInteger(format << 6 | 1)
            buffer.writeInteger(UInt16(csid - 64).byteSwapped)
        }
    }

    /// Writes the type-0 header of a message (basic header, message header, extended timestamp).
    static func writeMessageHeader(
        csid: UInt32, timestamp: UInt32, length: Int, typeID: UInt8, streamID: UInt32,
        into buffer: inout ByteBuffer
    ) {
        writeBasicHeader(format: 0, csid: csid, into: &buffer)
        buffer.writeUInt24(min(timestamp, 0xFF_FFFF))
        buffer.writeUInt24(UInt32(length))
        buffer.writeInteger(typeID)
        buffer.writeInteger(streamID, endianness: .little)
        if timestamp >= 0xFF_FFFF { buffer.writeInteger(timestamp) }
    }

    /// Appends `message` to `buffer` as chunks on chunk stream `csid`.
    public func encode(_ message: RTMPMessage, csid: UInt32, into buffer: inout ByteBuffer) {
        var payload = message.payload
        Self.writeMessageHeader(
            csid: csid, timestamp: message.timestamp, length: payload.readableBytes,
            typeID: message.typeID, streamID: message.streamID, into: &buffer
        )
        var first = true
        while payload.readableBytes > 0 || first {
            if !first {
                Self.writeBasicHeader(format: 3, csid: csid, into: &buffer)
                if message.timestamp >= 0xFF_FFFF { buffer.writeInteger(message.timestamp) }
            }
            first = false
            var chunk = payload.readSlice(length: min(chunkSize, payload.readableBytes))!
            buffer.writeBuffer(&chunk)
        }
    }
}
