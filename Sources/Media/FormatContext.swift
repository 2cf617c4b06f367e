internal import CFFmpeg

/// Owns one demuxing `AVFormatContext`, from `avformat_open_input` to `avformat_close_input`.
///
/// Kept separate from ``MediaInput`` so the context is closed even when a later step of
/// opening (such as `avformat_find_stream_info`) throws.
final class FormatContext {
    /// The open context; never nil while this object lives.
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// The memory input this context reads through, freed after the context is closed.
    private let io: CustomIOContext?

    /// Opens `url` with the given demuxer options.
    init(url: String, options: FFmpegDictionary) throws(FFmpegError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try FFmpegError.check(
            avformat_open_input(&context, url, nil, &options.raw),
            "avformat_open_input"
        )
        guard let context else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_open_input")
        }
        pointer = context
        io = nil
    }

    /// Opens `formatName` over `io` (no URL, no probing of the format) with the given options.
    init(io: CustomIOContext, formatName: String, options: FFmpegDictionary) throws(FFmpegError) {
        guard let allocated = avformat_alloc_context() else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_alloc_context")
        }
        allocated.pointee.pb = io.pointer
        allocated.pointee.flags |= AVFMT_FLAG_CUSTOM_IO
        var context: UnsafeMutablePointer<AVFormatContext>? = allocated
        // On failure avformat_open_input frees the context it was given (not our AVIOContext).
        try FFmpegError.check(
            avformat_open_input(&context, nil, av_find_input_format(formatName), &options.raw),
            "avformat_open_input"
        )
        guard let context else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_open_input")
        }
        pointer = context
        self.io = io
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    /// Reads the next compressed packet (`av_read_frame`). End of input and "try again" are
    /// results, not errors: both are expected on every live source.
    func readPacket() throws(FFmpegError) -> MediaInput.ReadResult {
        let packet = try MediaPacket()
        let code = av_read_frame(pointer, packet.pointer)
        if code == FFmpegError.endOfFileCode { return .endOfStream }
        if code == FFmpegError.tryAgainCode { return .tryAgain }
        try FFmpegError.check(code, "av_read_frame")
        return .packet(packet)
    }
}
