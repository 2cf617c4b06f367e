import NIOCore

/// RTCP SDES (RFC 3550 §6.5): per source, its CNAME; other items are skipped.
public struct RTCPSourceDescription: Sendable, Equatable {
    /// One source's chunk.
    public struct Chunk: Sendable, Equatable {
        public var ssrc: UInt32
        /// The CNAME item, if the chunk has one.
        public var cname: String?

        public init(ssrc: UInt32, cname: String?) {
            self.ssrc = ssrc
            self.cname = cname
        }
    }

    public var chunks: [Chunk]

    public init(chunks: [Chunk]) {
        self.chunks = chunks
    }

    static let cnameItem: UInt8 = 1

    static func parse(body: ByteBuffer, count: UInt8) throws(RTCPError) -> RTCPSourceDescription {
        let type = RTCPHeader.PacketType.sourceDescription
        let start = body.readerIndex
        let end = body.writerIndex
        var offset = start
        var chunks: [Chunk] = []
        for _ in 0..<count {
            guard let ssrc = body.getInteger(at: offset, as: UInt32.self) else { throw .countExceedsLength(packetType: type) }
            offset += 4
            var cname: String?
            while true {
                // Items until a zero type byte; the chunk then pads to a 32-bit boundary.
                guard let itemType = body.getInteger(at: offset, as: UInt8.self) else { throw .malformed(packetType: type) }
                if itemType == 0 {
                    offset += 1
                    offset += (4 - (offset - start) % 4) % 4
                    guard offset <= end else { throw .malformed(packetType: type) }
                    break
                }
                guard let length = body.getInteger(at: offset + 1, as: UInt8.self),
                    offset + 2 + Int(length) <= end
                else { throw .malformed(packetType: type) }
                if itemType == cnameItem, cname == nil,
                    let text = body.getString(at: offset + 2, length: Int(length))
                {
                    cname = text
                }
                offset += 2 + Int(length)
            }
            chunks.append(Chunk(ssrc: ssrc, cname: cname))
        }
        return RTCPSourceDescription(chunks: chunks)
    }

    /// Writes the chunks (CNAMEs cut to 255 UTF-8 bytes, at most 31 chunks).
    func write(into buffer: inout ByteBuffer) {
        let written = chunks.prefix(31)
        let start = RTCPHeader.begin(count: UInt8(written.count), packetType: RTCPHeader.PacketType.sourceDescription, in: &buffer)
        for chunk in written {
            let chunkStart = buffer.writerIndex
            buffer.writeInteger(chunk.ssrc)
            if let cname = chunk.cname {
                let bytes = cname.utf8.prefix(255)
                buffer.writeInteger(Self.cnameItem)
                buffer.writeInteger(UInt8(bytes.count))
                buffer.writeBytes(bytes)
            }
            // The end-of-items zero byte, then zero padding to a 32-bit boundary.
            buffer.writeInteger(UInt8(0))
            buffer.writeRepeatingByte(0, count: (4 - (buffer.writerIndex - chunkStart) % 4) % 4)
        }
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
