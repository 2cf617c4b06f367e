/// Builds a minimal, AVCC-framed IDR slice header that makes libavcodec's h264 parser
/// report picture dimensions.
///
/// The h264 decoder and parser only derive width and height from the SPS once they see
/// a slice that references it; an avcC record carries no slice. This synthetic slice
/// (first_mb 0, I slice, the record's PPS id, then filler one-bits) is never decoded,
/// only header-parsed.
enum H264ProbeSlice {
    /// The slice NAL unit, prefixed with its length in `nalLengthSize` big-endian bytes.
    static func make(ppsID: Int, nalLengthSize: Int) -> [UInt8] {
        var bits: [Bool] = []
        appendExpGolomb(0, to: &bits)  // first_mb_in_slice
        appendExpGolomb(7, to: &bits)  // slice_type: I (all slices)
        appendExpGolomb(ppsID, to: &bits)  // pic_parameter_set_id
        bits += repeatElement(true, count: 96)  // frame_num, idr_pic_id, POC...: any value parses
        bits += [true]  // rbsp_stop_one_bit
        while bits.count % 8 != 0 { bits.append(false) }

        var nal: [UInt8] = [0x65]  // nal_ref_idc 3, nal_unit_type 5 (IDR)
        for start in stride(from: 0, to: bits.count, by: 8) {
            nal.append(bits[start..<start + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) })
        }
        let prefix = (0..<nalLengthSize).reversed().map { UInt8(truncatingIfNeeded: nal.count >> (8 * $0)) }
        return prefix + nal
    }

    /// Appends ue(v): `value + 1` in binary, preceded by one zero per bit after the first.
    private static func appendExpGolomb(_ value: Int, to bits: inout [Bool]) {
        let code = value + 1
        let width = Int.bitWidth - code.leadingZeroBitCount
        bits += repeatElement(false, count: width - 1)
        bits += (0..<width).reversed().map { code >> $0 & 1 == 1 }
    }
}
