internal import CFFmpeg

/// Owns one demuxing `AVFormatContext`, from `avformat_open_input` to `avformat_close_input`.
///
/// Kept separate from ``MediaInput`` so the context is closed even when a later step of
/// opening (such as `avformat_find_stream_info`) throws.
final class FormatContext {
    /// The open context; never nil while this object lives.
    let pointer: UnsafeMutablePointer<AVFormatContext>

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
    }

    deinit {
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }
}
