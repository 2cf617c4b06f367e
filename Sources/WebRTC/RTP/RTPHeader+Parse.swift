public import NIOCore

extension RTPHeader {
    /// Parses the header at the front of `packet`; returns it with the number of header bytes
    /// (fixed part, CSRCs and extension block). Padding is the caller's (see `RTPPacket`).
    public static func parse(_ packet: ByteBuffer) throws(RTPError) -> (header: RTPHeader, size: Int) {
        let start = packet.readerIndex
        let available = packet.readableBytes
        guard available >= fixedSize,
            let first = packet.getInteger(at: start, as: UInt8.self),
            let second = packet.getInteger(at: start + 1, as: UInt8.self),
            let sequence = packet.getInteger(at: start + 2, as: UInt16.self),
            let timestamp = packet.getInteger(at: start + 4, as: UInt32.self),
            let ssrc = packet.getInteger(at: start + 8, as: UInt32.self)
        else { throw .truncated }
        let version = first >> 6
        guard version == Self.version else { throw .unsupportedVersion(version) }

        var header = RTPHeader(
            marker: second & 0x80 != 0,
            payloadType: second & 0x7F,
            sequenceNumber: sequence,
            timestamp: timestamp,
            ssrc: ssrc,
            hasPadding: first & 0x20 != 0
        )
        var offset = fixedSize
        let csrcCount = Int(first & 0x0F)
        guard available >= offset + 4 * csrcCount else { throw .truncated }
        if csrcCount > 0 {
            header.csrcs.reserveCapacity(csrcCount)
            for index in 0..<csrcCount {
                guard let csrc = packet.getInteger(at: start + offset + 4 * index, as: UInt32.self) else {
                    throw .truncated
                }
                header.csrcs.append(csrc)
            }
            offset += 4 * csrcCount
        }

        if first & 0x10 != 0 {
            guard let profile = packet.getInteger(at: start + offset, as: UInt16.self),
                let words = packet.getInteger(at: start + offset + 2, as: UInt16.self),
                available >= offset + 4 + 4 * Int(words),
                let block = packet.getSlice(at: start + offset + 4, length: 4 * Int(words))
            else { throw .truncated }
            header.extensionProfile = profile
            header.extensions = try parseExtensions(block, profile: profile)
            offset += 4 + 4 * Int(words)
        }
        return (header, offset)
    }

    /// Splits an extension block into elements: the one-byte form (0xBEDE), the two-byte form
    /// (0x100X), or, for any other profile, the whole block as one element with id 0.
    static func parseExtensions(_ block: ByteBuffer, profile: UInt16) throws(RTPError) -> [RTPHeaderExtension] {
        let oneByte = profile == RTPHeaderExtension.oneByteProfile
        let twoByte = profile & RTPHeaderExtension.twoByteProfileMask == RTPHeaderExtension.twoByteProfile
        guard oneByte || twoByte else { return [RTPHeaderExtension(id: 0, data: block)] }

        var elements: [RTPHeaderExtension] = []
        var offset = block.readerIndex
        let end = block.writerIndex
        while offset < end {
            guard let byte = block.getInteger(at: offset, as: UInt8.self) else { throw .invalidExtension }
            if byte == 0 {  // padding between or after elements
                offset += 1
                continue
            }
            let id: UInt8
            let length: Int
            let dataStart: Int
            if oneByte {
                id = byte >> 4
                if id == 15 { break }  // reserved: stop processing the block (RFC 8285 §4.2)
                length = Int(byte & 0x0F) + 1
                dataStart = offset + 1
            } else {
                guard let lengthByte = block.getInteger(at: offset + 1, as: UInt8.self) else {
                    throw .invalidExtension
                }
                id = byte
                length = Int(lengthByte)
                dataStart = offset + 2
            }
            guard dataStart + length <= end,
                let data = block.getSlice(at: dataStart, length: length)
            else { throw .invalidExtension }
            elements.append(RTPHeaderExtension(id: id, data: data))
            offset = dataStart + length
        }
        return elements
    }
}
