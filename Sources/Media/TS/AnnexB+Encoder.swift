import NIOCore

/// H.264 byte-stream (Annex B, start codes) as libx264 writes it, turned into what FLV carries
/// without intermediate arrays: length-prefixed NAL units (AVCC) written straight into the
/// message buffer, and an AVCDecoderConfigurationRecord from the encoder's extradata.
extension AnnexB {
    /// Calls `body` with each NAL unit (start code excluded) of an Annex B buffer.
    static func forEachNALUnit(in bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        let count = bytes.count
        var i = 0
        var start = -1
        while i + 2 < count {
            if bytes[i] == 0, bytes[i + 1] == 0, bytes[i + 2] == 1 {
                if start >= 0 { body(trimmed(bytes, start, i)) }
                i += 3
                start = i
            } else {
                i += 1
            }
        }
        if start >= 0, start < count { body(trimmed(bytes, start, count)) }
    }

    /// The unit from `start` to `end`, without the zero byte of a following 4-byte start code.
    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        var end = end
        while end > start, bytes[end - 1] == 0 { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Appends every NAL unit of `bytes` with a 4-byte big-endian length in front.
    static func writeLengthPrefixed(_ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        forEachNALUnit(in: bytes) { unit in
            buffer.writeInteger(UInt32(unit.count))
            buffer.writeBytes(unit)
        }
    }

    /// The AVCDecoderConfigurationRecord for an Annex B SPS/PPS header (an encoder's extradata);
    /// nil when it lacks either.
    static func decoderRecord(fromHeaders bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var sps: [[UInt8]] = []
        var pps: [[UInt8]] = []
        forEachNALUnit(in: bytes) { unit in
            guard let header = unit.first else { return }
            switch header & 0x1F {
            case 7: sps.append(Array(unit))
            case 8: pps.append(Array(unit))
            default: break
            }
        }
        guard let first = sps.first, first.count >= 4, !pps.isEmpty else { return nil }
        var record: [UInt8] = [1, first[1], first[2], first[3], 0xFF, 0xE0 | UInt8(sps.count)]
        for unit in sps {
            record += [UInt8(unit.count >> 8), UInt8(unit.count & 0xFF)] + unit
        }
        record.append(UInt8(pps.count))
        for unit in pps {
            record += [UInt8(unit.count >> 8), UInt8(unit.count & 0xFF)] + unit
        }
        return AVCHighProfileExtension.completing(record)
    }
}
