import NIOCore
import NIOEmbedded

@testable import RTMP

extension RTMPMessage: Equatable {
    public static func == (a: RTMPMessage, b: RTMPMessage) -> Bool {
        a.typeID == b.typeID && a.streamID == b.streamID && a.timestamp == b.timestamp && a.payload == b.payload
    }
}

extension RTMPChunkDecoder.Output: Equatable {
    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.message(let x), .message(let y)): return x == y
        case (.acknowledgement(let x), .acknowledgement(let y)): return x == y
        default: return false
        }
    }
}

enum Chunks {
    /// Decodes `bytes` through `ByteToMessageHandler(RTMPChunkDecoder())` in an EmbeddedChannel,
    /// in one write, byte by byte, or in writes of `pieces` bytes.
    static func decode(
        _ bytes: ByteBuffer, pieces: Int? = nil, maxMessageSize: Int = 16 << 20
    ) throws -> [RTMPChunkDecoder.Output] {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(RTMPChunkDecoder(maxMessageSize: maxMessageSize)))
        defer { _ = try? channel.finish() }
        var input = bytes
        var out: [RTMPChunkDecoder.Output] = []
        func collect() throws {
            while let o = try channel.readInbound(as: RTMPChunkDecoder.Output.self) { out.append(o) }
        }
        if let pieces {
            while input.readableBytes > 0 {
                let piece = input.readSlice(length: min(pieces, input.readableBytes))!
                try channel.writeInbound(piece)
                try collect()
            }
        } else {
            try channel.writeInbound(input)
            try collect()
        }
        return out
    }

    static func messages(_ outputs: [RTMPChunkDecoder.Output]) -> [RTMPMessage] {
        outputs.compactMap { if case .message(let m) = $0 { return m } else { return nil } }
    }

    static func payload(_ count: Int, seed: UInt8 = 0) -> ByteBuffer {
        ByteBuffer(bytes: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) })
    }

    static func control(_ type: RTMPMessageType, _ value: UInt32) -> RTMPMessage {
        var payload = ByteBuffer()
        payload.writeInteger(value)
        return RTMPMessage(type: type, payload: payload)
    }

    /// A Set Chunk Size message, itself written with the default chunk size.
    static func setChunkSize(_ size: UInt32) -> ByteBuffer {
        var buffer = ByteBuffer()
        RTMPChunkEncoder().encode(control(.setChunkSize, size), csid: 2, into: &buffer)
        return buffer
    }

    static func encode(_ message: RTMPMessage, csid: UInt32, chunkSize: Int = 128) -> ByteBuffer {
        var buffer = ByteBuffer()
        RTMPChunkEncoder(chunkSize: chunkSize).encode(message, csid: csid, into: &buffer)
        return buffer
    }

    /// The encoder's chunks of `message`, one buffer each.
    static func chunks(_ message: RTMPMessage, csid: UInt32, chunkSize: Int) -> [ByteBuffer] {
        var all = encode(message, csid: csid, chunkSize: chunkSize)
        let basic = csid < 64 ? 1 : (csid < 320 ? 2 : 3)
        let ext = message.timestamp >= 0xFF_FFFF ? 4 : 0
        var remaining = message.payload.readableBytes
        var out: [ByteBuffer] = []
        var first = true
        repeat {
            let body = min(chunkSize, remaining)
            let header = first ? basic + 11 + ext : basic + ext
            out.append(all.readSlice(length: header + body)!)
            remaining -= body
            first = false
        } while remaining > 0
        precondition(all.readableBytes == 0)
        return out
    }

    static func concat(_ buffers: [ByteBuffer]) -> ByteBuffer {
        var out = ByteBuffer()
        for var b in buffers { out.writeBuffer(&b) }
        return out
    }

    static func bytes(_ b: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: b) }
}
