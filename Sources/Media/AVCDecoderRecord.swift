/// The byte layout of an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 "avcC"),
/// checked structurally before any of it reaches libavcodec.
///
/// libavcodec tolerates many malformed records silently; walking the layout here lets
/// ``AVCConfiguration/parse(_:)`` reject truncated or garbage input with a clear error.
struct AVCDecoderRecord {
    /// Bytes per NAL unit length prefix in AVCC-framed video (1, 2 or 4).
    let nalLengthSize: Int
    /// Sequence parameter set NAL units, header byte included.
    let sequenceParameterSets: [[UInt8]]
    /// Picture parameter set NAL units, header byte included.
    let pictureParameterSets: [[UInt8]]

    private static let operation = "AVCDecoderConfigurationRecord"

    /// Walks `bytes`; throws `AVERROR_INVALIDDATA` when any field is out of range.
    init(_ bytes: [UInt8]) throws(FFmpegError) {
        var cursor = bytes[...]
        guard try Self.byte(&cursor) == 1 else { throw .invalidData(Self.operation) }
        _ = try Self.take(3, from: &cursor)  // profile, compatibility, level
        let lengthSizeMinusOne = Int(try Self.byte(&cursor) & 0x03)
        guard lengthSizeMinusOne != 2 else { throw .invalidData(Self.operation) }
        nalLengthSize = lengthSizeMinusOne + 1
        sequenceParameterSets = try Self.nalUnits(Int(try Self.byte(&cursor) & 0x1F), type: 7, from: &cursor)
        pictureParameterSets = try Self.nalUnits(Int(try Self.byte(&cursor)), type: 8, from: &cursor)
        // Any remaining bytes are the optional high-profile extension; libavcodec ignores it.
    }

    /// `pic_parameter_set_id` of the first PPS: the leading ue(v) after its header byte.
    var firstPPSID: Int? {
        guard let pps = pictureParameterSets.first else { return nil }
        var zeros = 0
        var bit = 8  // bit offset into `pps`, skipping the NAL header byte
        func next() -> Int? {
            guard bit / 8 < pps.count else { return nil }
            defer { bit += 1 }
            return Int(pps[bit / 8] >> (7 - UInt8(bit % 8))) & 1
        }
        while let value = next(), value == 0 {
            zeros += 1
            if zeros > 8 { return nil }  // ids are at most 255
        }
        var suffix = 0
        for _ in 0..<zeros {
            guard let value = next() else { return nil }
            suffix = suffix << 1 | value
        }
        return (1 << zeros) - 1 + suffix
    }

    private static func nalUnits(_ count: Int, type: UInt8, from cursor: inout ArraySlice<UInt8>) throws(FFmpegError) -> [[UInt8]] {
        guard count > 0 else { throw .invalidData(operation) }
        var units: [[UInt8]] = []
        for _ in 0..<count {
            let length = try take(2, from: &cursor).reduce(0) { Int($0) << 8 | Int($1) }
            let unit = Array(try take(length, from: &cursor))
            guard let header = unit.first, header & 0x1F == type else { throw .invalidData(operation) }
            units.append(unit)
        }
        return units
    }

    private static func byte(_ cursor: inout ArraySlice<UInt8>) throws(FFmpegError) -> UInt8 {
        let head = try take(1, from: &cursor)
        return head[head.startIndex]
    }

    private static func take(_ count: Int, from cursor: inout ArraySlice<UInt8>) throws(FFmpegError) -> ArraySlice<UInt8> {
        guard count <= cursor.count else { throw .invalidData(operation) }
        let head = cursor.prefix(count)
        cursor = cursor.dropFirst(count)
        return head
    }
}
