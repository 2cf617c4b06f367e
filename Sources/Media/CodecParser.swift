internal import CFFmpeg

/// Owns one `AVCodecParserContext`, from `av_parser_init` to `av_parser_close`.
///
/// Used to read stream parameters out of bitstream headers without decoding pictures.
final class CodecParser {
    /// The owned parser; non-nil for the object's whole life.
    private let pointer: UnsafeMutablePointer<AVCodecParserContext>

    /// Creates a parser for `codecID` that treats every input buffer as one whole frame.
    init(codecID: AVCodecID) throws(FFmpegError) {
        guard let parser = av_parser_init(Int32(bitPattern: codecID.rawValue)) else {
            throw FFmpegError(code: cffmpeg_AVERROR(ENOSYS), operation: "av_parser_init")
        }
        parser.pointee.flags |= PARSER_FLAG_COMPLETE_FRAMES
        pointer = parser
    }

    deinit {
        av_parser_close(pointer)
    }

    /// Runs `av_parser_parse2` over `bytes` (copied into a padded buffer) for `codec`.
    func parse(_ bytes: [UInt8], codec: CodecContext) throws(FFmpegError) {
        var padded = bytes
        padded += repeatElement(0, count: Int(AV_INPUT_BUFFER_PADDING_SIZE))
        let code = padded.withUnsafeBufferPointer { buffer in
            var output: UnsafeMutablePointer<UInt8>?
            var outputSize: Int32 = 0
            return av_parser_parse2(
                pointer, codec.pointer, &output, &outputSize,
                buffer.baseAddress, Int32(bytes.count),
                cffmpeg_AV_NOPTS_VALUE(), cffmpeg_AV_NOPTS_VALUE(), 0
            )
        }
        try FFmpegError.check(code, "av_parser_parse2")
    }

    /// Picture width found by the last parse; 0 when unknown.
    var width: Int { Int(pointer.pointee.width) }

    /// Picture height found by the last parse; 0 when unknown.
    var height: Int { Int(pointer.pointee.height) }
}
