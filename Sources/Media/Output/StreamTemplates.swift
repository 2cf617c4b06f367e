internal import CFFmpeg

/// A bare `AVFormatContext` whose streams carry the encoders' codec parameters and time
/// bases, so ``OutputFormatContext`` can copy them as it does a demuxer's streams.
final class StreamTemplates {
    private let context: BareFormatContext
    let streams: [UnsafeMutablePointer<AVStream>]

    init(encoders: [UnsafeMutablePointer<AVCodecContext>]) throws(FFmpegError) {
        // Owned from its allocation: a throw below frees it with the local owner.
        let context = try BareFormatContext()
        var streams: [UnsafeMutablePointer<AVStream>] = []
        for encoder in encoders {
            guard let stream = avformat_new_stream(context.pointer, nil) else {
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_new_stream")
            }
            try FFmpegError.check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder), "avcodec_parameters_from_context")
            stream.pointee.time_base = encoder.pointee.time_base
            stream.pointee.avg_frame_rate = encoder.pointee.framerate
            streams.append(stream)
        }
        self.streams = streams
        self.context = context
    }
}

/// Owns an `AVFormatContext` from `avformat_alloc_context` (no I/O, no format) and frees it.
private struct BareFormatContext: ~Copyable {
    let pointer: UnsafeMutablePointer<AVFormatContext>

    init() throws(FFmpegError) {
        guard let context = avformat_alloc_context() else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_alloc_context")
        }
        pointer = context
    }

    deinit { avformat_free_context(pointer) }
}
