/// H.264 byte-stream framing (ITU-T H.264 Annex B: NAL units behind 00 00 01 / 00 00 00 01
/// start codes, as MPEG-TS carries them) and its conversion to and from AVCC framing
/// (NAL units behind big-endian length prefixes, as FLV/RTMP and MP4 carry them).
public enum AnnexB {
    /// NAL unit types the relay handles specially.
    public enum NALType {
        public static let idr: UInt8 = 5
        public static let sei: UInt8 = 6
        public static let sps: UInt8 = 7
        public static let pps: UInt8 = 8
        public static let accessUnitDelimiter: UInt8 = 9
    }

    /// The NAL units of an Annex B buffer, without start codes (and without the trailing
    /// zero bytes of the next start code). Bytes before the first start code are ignored.
    public static func nalUnits(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        var i = 0
        var start: Int?
        let n = bytes.count
        while i + 2 < n {
            if bytes[i] == 0, bytes[i + 1] == 0, bytes[i + 2] == 1 {
                if let s = start { units.append(trimmed(bytes[s..<i])) }
                i += 3
                start = i
            } else {
                i += 1
            }
        }
        if let s = start, s < n { units.append(trimmed(bytes[s..<n])) }
        return units.filter { !$0.isEmpty }
    }

    /// Drops the zero bytes that belong to the next 4-byte start code.
    private static func trimmed(_ unit: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var unit = unit
        while unit.last == 0 { unit.removeLast() }
        return unit
    }

    /// NAL units with 4-byte big-endian length prefixes (AVCC).
    public static func avcc<S: Sequence>(_ units: S) -> [UInt8] where S.Element == ArraySlice<UInt8> {
        var out: [UInt8] = []
        for unit in units {
            let length = UInt32(unit.count)
            out += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            out += unit
        }
        return out
    }

    /// The NAL units of an AVCC buffer with `lengthSize`-byte prefixes; nil when a length runs
    /// past the end (a truncated or malformed payload).
    public static func units(avcc bytes: ArraySlice<UInt8>, lengthSize: Int) -> [ArraySlice<UInt8>]? {
        guard [1, 2, 4].contains(lengthSize) else { return nil }
        var units: [ArraySlice<UInt8>] = []
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes.endIndex - i >= lengthSize else { return nil }
            var length = 0
            for k in 0..<lengthSize { length = length << 8 | Int(bytes[i + k]) }
            i += lengthSize
            guard length <= bytes.endIndex - i else { return nil }
            if length > 0 { units.append(bytes[i..<(i + length)]) }
            i += length
        }
        return units
    }

    /// NAL units behind 4-byte start codes (Annex B).
    public static func byteStream<S: Sequence>(_ units: S) -> [UInt8] where S.Element == ArraySlice<UInt8> {
        var out: [UInt8] = []
        for unit in units {
            out += [0, 0, 0, 1]
            out += unit
        }
        return out
    }

    /// The type of a NAL unit (low 5 bits of its header byte).
    @inlinable public static func type(of unit: ArraySlice<UInt8>) -> UInt8 {
        (unit.first ?? 0) & 0x1F
    }

    /// An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 "avcC") for one SPS and PPS, with
    /// 4-byte NAL unit lengths; nil when the SPS is too short to hold profile and level.
    public static func decoderConfigurationRecord(sps: [UInt8], pps: [UInt8]) -> [UInt8]? {
        guard sps.count >= 4, !pps.isEmpty, sps.count <= 0xFFFF, pps.count <= 0xFFFF else { return nil }
        var record: [UInt8] = [1, sps[1], sps[2], sps[3], 0xFF, 0xE1]
        record += [UInt8(sps.count >> 8), UInt8(sps.count & 0xFF)] + sps
        record += [1, UInt8(pps.count >> 8), UInt8(pps.count & 0xFF)] + pps
        return record
    }
}
