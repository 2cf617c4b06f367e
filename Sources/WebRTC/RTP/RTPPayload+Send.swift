import NIOCore

extension RTPPayload {
    /// Writes one viewer's packet, `header` then these shared payload bytes, at `offset` in
    /// `destination` (the viewer's send buffer, SRTP-protected in place afterwards) without
    /// allocating; returns the packet's size. `header.marker` is taken from the payload.
    @discardableResult
    public func writePacket(header: RTPHeader, into destination: UnsafeMutableRawBufferPointer, at offset: Int) throws(RTPError) -> Int {
        var header = header
        header.marker = marker
        let headerSize = try header.encodedSize()
        let total = headerSize + bytes.readableBytes
        guard offset >= 0, destination.count - offset >= total else { throw .bufferTooSmall(needed: total) }
        try header.write(into: destination, at: offset)
        let payloadStart = offset + headerSize
        bytes.withUnsafeReadableBytes { source in
            UnsafeMutableRawBufferPointer(rebasing: destination[payloadStart..<payloadStart + source.count]).copyMemory(from: source)
        }
        return total
    }
}
