import NIOCore

/// Splits what OpenSSL wrote to its memory BIO into datagrams at DTLS record boundaries.
///
/// A memory BIO keeps no datagram boundaries, so a whole flight comes out as one run of records.
/// OpenSSL already sizes each handshake record to fit the link MTU; this packs consecutive records
/// into datagrams of at most `maximumDatagramSize` bytes (a record that alone exceeds it travels
/// alone). A record header is 13 bytes: type, version (2), epoch (2), sequence number (6), length (2).
enum DTLSRecordPacker {
    static let recordHeaderLength = 13

    /// The datagrams to send, as slices of `bytes` (no copies).
    static func datagrams(from bytes: ByteBuffer, maximumDatagramSize: Int) -> [ByteBuffer] {
        var datagrams: [ByteBuffer] = []
        let start = bytes.readerIndex
        let end = bytes.writerIndex
        var datagramStart = start
        var recordStart = start
        while recordStart < end {
            let recordEnd = endOfRecord(in: bytes, at: recordStart, end: end)
            if recordEnd - datagramStart > maximumDatagramSize, recordStart > datagramStart {
                appendSlice(of: bytes, from: datagramStart, to: recordStart, into: &datagrams)
                datagramStart = recordStart
            }
            recordStart = recordEnd
        }
        appendSlice(of: bytes, from: datagramStart, to: end, into: &datagrams)
        return datagrams
    }

    /// Where the record at `offset` ends; `end` if its header or body is cut short.
    private static func endOfRecord(in bytes: ByteBuffer, at offset: Int, end: Int) -> Int {
        guard end - offset >= recordHeaderLength,
            let length = bytes.getInteger(at: offset + 11, as: UInt16.self)
        else { return end }
        return min(end, offset + recordHeaderLength + Int(length))
    }

    private static func appendSlice(of bytes: ByteBuffer, from start: Int, to end: Int, into datagrams: inout [ByteBuffer]) {
        guard end > start, let slice = bytes.getSlice(at: start, length: end - start) else { return }
        datagrams.append(slice)
    }
}
