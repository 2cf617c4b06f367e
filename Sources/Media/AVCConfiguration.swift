internal import CFFmpeg

/// Stream parameters of an H.264 stream, read from its AVCDecoderConfigurationRecord.
///
/// RTMP/FLV publishers send this record as the AVC sequence header (the tag body after
/// its 5-byte FLV prefix); MP4 stores it as `avcC`. The relay needs the picture size and
/// profile before the first keyframe arrives, so they are derived from the SPS by
/// libavcodec rather than by a hand-written SPS parser.
public struct AVCConfiguration: Sendable, Equatable {
    /// Picture width in pixels, after cropping.
    public let width: Int
    /// Picture height in pixels, after cropping.
    public let height: Int
    /// `profile_idc` (66 baseline, 77 main, 100 high, ...).
    public let profile: Int
    /// `level_idc` (e.g. 31 for level 3.1).
    public let level: Int
    /// Bytes per NAL unit length prefix in the stream's packets (1, 2 or 4).
    public let nalLengthSize: Int
    /// Sequence parameter set NAL units, header byte included.
    public let sequenceParameterSets: [[UInt8]]
    /// Picture parameter set NAL units, header byte included.
    public let pictureParameterSets: [[UInt8]]

    /// Parses an AVCDecoderConfigurationRecord.
    ///
    /// The record is checked structurally, handed to an h264 decoder context as extradata
    /// (`avcodec_open2`), and its SPS is evaluated by libavcodec's h264 parser.
    /// - Throws: ``FFmpegError`` (`AVERROR_INVALIDDATA` for truncated or garbage input).
    public static func parse(_ record: [UInt8]) throws(FFmpegError) -> AVCConfiguration {
        let layout = try AVCDecoderRecord(record)
        guard let ppsID = layout.firstPPSID else { throw .invalidData("AVCDecoderConfigurationRecord") }

        let codec = try CodecContext(decoder: AV_CODEC_ID_H264)
        try codec.setExtradata(record)
        try codec.open()
        let parser = try CodecParser(codecID: AV_CODEC_ID_H264)
        try parser.parse(H264ProbeSlice.make(ppsID: ppsID, nalLengthSize: layout.nalLengthSize), codec: codec)
        guard parser.width > 0, parser.height > 0, codec.profile >= 0, codec.level >= 0 else {
            throw .invalidData("av_parser_parse2")
        }
        return AVCConfiguration(
            width: parser.width,
            height: parser.height,
            profile: codec.profile & 0xFF,
            level: codec.level,
            nalLengthSize: layout.nalLengthSize,
            sequenceParameterSets: layout.sequenceParameterSets,
            pictureParameterSets: layout.pictureParameterSets
        )
    }
}
