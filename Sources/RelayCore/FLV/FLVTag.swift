public import NIOCore

/// FLV file framing (Adobe FLV v10.1, E.4) for HTTP-FLV players: the 9-byte file header with
/// the first PreviousTagSize, and per tag its 11-byte header and trailing PreviousTagSize. The
/// tag body is the relay's `MediaMessage.payload` itself, shared, never copied.
public enum FLVTag {
    /// `FLV`, version 1, audio and video flags, header size 9, then PreviousTagSize0 = 0.
    public static func fileHeader(audio: Bool = true, video: Bool = true) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes([0x46, 0x4C, 0x56, 0x01, (audio ? 0x04 : 0) | (video ? 0x01 : 0), 0, 0, 0, 9, 0, 0, 0, 0])
        return buffer
    }

    /// The tag header of `message`: type, body size, timestamp (24 bits + extension), stream id 0.
    public static func header(for message: MediaMessage, into buffer: inout ByteBuffer) {
        let size = UInt32(message.payload.readableBytes)
        buffer.writeInteger(message.kind.rawValue)
        buffer.writeInteger(UInt8(truncatingIfNeeded: size >> 16))
        buffer.writeInteger(UInt16(truncatingIfNeeded: size))
        buffer.writeInteger(UInt8(truncatingIfNeeded: message.timestamp >> 16))
        buffer.writeInteger(UInt16(truncatingIfNeeded: message.timestamp))
        buffer.writeInteger(UInt8(truncatingIfNeeded: message.timestamp >> 24))
        buffer.writeBytes([0, 0, 0])
    }

    /// The tag header (11 bytes) followed by the PreviousTagSize (4 bytes) of `message`, in one
    /// buffer: what a stream with HTTP-FLV players frames once per message (``MediaMessage/flvFraming``),
    /// so each player writes slices of it around the shared body.
    public static func framing(for message: MediaMessage) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 15)
        header(for: message, into: &buffer)
        trailer(for: message, into: &buffer)
        return buffer
    }

    /// PreviousTagSize after `message`'s tag: header plus body.
    public static func trailer(for message: MediaMessage, into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(11 + message.payload.readableBytes))
    }
}
