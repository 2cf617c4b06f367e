import NIOCore

/// In-place protection over `ByteBuffer`s. A buffer that shares storage with another (one RTP
/// packet fanned out to many viewers) is copied first (copy-on-write), and protecting appends up
/// to `maximumProtectionOverhead` bytes of room: reserve that much capacity to avoid a
/// reallocation, or use the `in:length:` forms on a reusable scratch buffer on a hot path.
extension SRTPSession {
    /// Protects the RTP packet in `packet`'s readable bytes in place, growing it by the tag.
    /// On failure `packet` keeps its length (its bytes may have changed).
    func protectRTP(_ packet: inout ByteBuffer) throws(SRTPError) {
        try protectInPlace(&packet) { (bytes, length) throws(SRTPError) in try protectRTP(in: bytes, length: length) }
    }

    /// Verifies and decrypts the SRTP packet in `packet` in place, shrinking it to the RTP packet.
    func unprotectRTP(_ packet: inout ByteBuffer) throws(SRTPError) {
        try unprotectInPlace(&packet) { (bytes, length) throws(SRTPError) in try unprotectRTP(in: bytes, length: length) }
    }

    /// Protects the RTCP packet in `packet` in place, growing it by the SRTCP index and tag.
    func protectRTCP(_ packet: inout ByteBuffer) throws(SRTPError) {
        try protectInPlace(&packet) { (bytes, length) throws(SRTPError) in try protectRTCP(in: bytes, length: length) }
    }

    /// Verifies and decrypts the SRTCP packet in `packet` in place, shrinking it to the RTCP packet.
    func unprotectRTCP(_ packet: inout ByteBuffer) throws(SRTPError) {
        try unprotectInPlace(&packet) { (bytes, length) throws(SRTPError) in try unprotectRTCP(in: bytes, length: length) }
    }

    private func protectInPlace(
        _ packet: inout ByteBuffer,
        _ body: (UnsafeMutableRawBufferPointer, Int) throws(SRTPError) -> Int
    ) throws(SRTPError) {
        let start = packet.readerIndex
        let length = packet.readableBytes
        // Room for the trailer inside the readable region, so the pointer covers it.
        packet.writeRepeatingByte(0, count: Self.maximumProtectionOverhead)
        let result = packet.withUnsafeMutableReadableBytes { bytes -> Result<Int, SRTPError> in
            do throws(SRTPError) { return .success(try body(bytes, length)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let protectedLength):
            packet.moveWriterIndex(to: start + protectedLength)
        case .failure(let error):
            packet.moveWriterIndex(to: start + length)
            throw error
        }
    }

    private func unprotectInPlace(
        _ packet: inout ByteBuffer,
        _ body: (UnsafeMutableRawBufferPointer, Int) throws(SRTPError) -> Int
    ) throws(SRTPError) {
        let start = packet.readerIndex
        let result = packet.withUnsafeMutableReadableBytes { bytes -> Result<Int, SRTPError> in
            do throws(SRTPError) { return .success(try body(bytes, bytes.count)) } catch { return .failure(error) }
        }
        packet.moveWriterIndex(to: start + (try result.get()))
    }
}
