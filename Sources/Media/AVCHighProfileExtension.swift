/// The AVCDecoderConfigurationRecord fields ISO/IEC 14496-15 (5.3.3.1.2) requires after the
/// PPS for the High profiles (100, 110, 122, 144): chroma format and bit depths, read from the
/// SPS. Many encoders' records (libx264's extradata as we wrap it, some RTMP publishers) omit
/// them; MP4 parsers such as Chromium's refuse such a record in an fMP4 init section.
enum AVCHighProfileExtension {
    static let highProfiles: Set<UInt8> = [100, 110, 122, 144]

    /// `record` with the extension appended when it is a High-profile record without one;
    /// otherwise `record` unchanged (also when its SPS cannot be read).
    static func completing(_ record: [UInt8]) -> [UInt8] {
        guard record.count >= 7, highProfiles.contains(record[1]),
            let layout = try? AVCDecoderRecord(record), let sps = layout.sequenceParameterSets.first,
            let fields = chromaAndDepth(sps: sps)
        else { return record }
        let used = 7 + layout.sequenceParameterSets.reduce(0) { $0 + 2 + $1.count } + layout.pictureParameterSets.reduce(0) { $0 + 2 + $1.count }
        guard record.count == used else { return record }  // it has one already (or more bytes we keep)
        return record + [
            0xFC | UInt8(fields.chromaFormat & 0x03), 0xF8 | UInt8(fields.lumaDepthMinus8 & 0x07),
            0xF8 | UInt8(fields.chromaDepthMinus8 & 0x07), 0,
        ]
    }

    /// chroma_format_idc and the bit depths of a High-profile SPS (NAL header byte included).
    static func chromaAndDepth(sps: [UInt8]) -> (chromaFormat: Int, lumaDepthMinus8: Int, chromaDepthMinus8: Int)? {
        var reader = ExpGolombReader(rbsp: sps.dropFirst(4))  // header, profile, constraints, level
        guard reader.unsigned() != nil, let chroma = reader.unsigned() else { return nil }  // seq_parameter_set_id
        if chroma == 3 { guard reader.bit() != nil else { return nil } }  // separate_colour_plane_flag
        guard let luma = reader.unsigned(), let chromaDepth = reader.unsigned(), chroma <= 3, luma <= 6, chromaDepth <= 6 else { return nil }
        return (chroma, luma, chromaDepth)
    }
}

/// Reads bits and ue(v) values (H.264 9.1) from NAL unit bytes, skipping emulation prevention.
struct ExpGolombReader {
    private var bytes: [UInt8] = []
    private var position = 0

    init(rbsp escaped: ArraySlice<UInt8>) {
        var zeros = 0
        for byte in escaped {
            if zeros >= 2, byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            bytes.append(byte)
        }
    }

    mutating func bit() -> Int? {
        guard position / 8 < bytes.count else { return nil }
        defer { position += 1 }
        return Int(bytes[position / 8] >> (7 - UInt8(position % 8))) & 1
    }

    mutating func unsigned() -> Int? {
        var zeros = 0
        while let value = bit(), value == 0 {
            zeros += 1
            if zeros > 31 { return nil }
        }
        guard position / 8 <= bytes.count else { return nil }
        var suffix = 0
        for _ in 0..<zeros {
            guard let value = bit() else { return nil }
            suffix = suffix << 1 | value
        }
        return (1 << zeros) - 1 + suffix
    }
}
