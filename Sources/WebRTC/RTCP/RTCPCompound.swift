public import NIOCore

/// Splits an RTCP compound packet (one datagram after SRTCP unprotect) into its packets.
public enum RTCPCompound {
    /// Parses every packet in `datagram`. Throws when any length, count or padding field is
    /// inconsistent with the bytes present; never reads past them.
    public static func parse(_ datagram: ByteBuffer) throws(RTCPError) -> [RTCPPacket] {
        guard datagram.readableBytes > 0 else { throw .empty }
        var packets: [RTCPPacket] = []
        var offset = datagram.readerIndex
        let end = datagram.writerIndex
        while offset < end {
            let header = try RTCPHeader.parse(datagram, at: offset)
            guard header.packetSize <= end - offset else { throw .truncated }
            var bodyLength = header.packetSize - RTCPHeader.size
            if header.hasPadding {
                guard let padding = datagram.getInteger(at: offset + header.packetSize - 1, as: UInt8.self),
                    padding > 0, Int(padding) <= bodyLength
                else { throw .invalidPadding }
                bodyLength -= Int(padding)
            }
            guard let body = datagram.getSlice(at: offset + RTCPHeader.size, length: bodyLength) else {
                throw .truncated
            }
            packets.append(try RTCPPacket.parse(header: header, body: body))
            offset += header.packetSize
        }
        return packets
    }
}
