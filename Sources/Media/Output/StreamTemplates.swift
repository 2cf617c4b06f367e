internal import CFFmpeg

/// A bare `AVFormatContext` whose streams carry the encoders' codec parameters and time
/// bases, so ``OutputFormatContext`` can copy them as it does a demuxer's streams.
final class StreamTemplates {
    private let context: UnsafeMutablePointer<AVFormatContext>
    let streams: [UnsafeMutablePointer<AVStream>]

    init(encoders: [UnsafeMutablePointer<AVCodecContext>]) throws(FFmpegError) {
        guard let context = avformat_alloc_context() else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_alloc_context")
        }
        self.context = context
        var streams: [UnsafeMutablePointer<AVStream>] = []
        for encoder in encoders {
            guard let stream = avformat_new_stream(context, nil) else {
                avformat_free_context(context)
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_new_stream")
            }
            let code = avcodec_parameters_from_context(stream.pointee.codecpar, encoder)
            if code < 0 {
                avformat_free_context(context)
                throw FFmpegError(code: code, operation: "avcodec_parameters_from_context")
            }
            stream.pointee.time_base = encoder.pointee.time_base
            stream.pointee.avg_frame_rate = encoder.pointee.framerate
            streams.append(stream)
        }
        self.streams = streams
    }

    deinit { avformat_free_context(context) }
}
