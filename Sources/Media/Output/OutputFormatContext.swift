internal import CFFmpeg

/// Owns one muxing `AVFormatContext` and its `AVIOContext`, from
/// `avformat_alloc_output_context2` to `avio_closep` + `avformat_free_context`.
///
/// Opening connects (for RTMP: handshake, `connect`, `publish`) and writes the header; a
/// refusal surfaces as the ``FFmpegError`` of the step that failed.
final class OutputFormatContext {
    /// The open context; never nil while this object lives.
    let pointer: UnsafeMutablePointer<AVFormatContext>
    private var trailerWritten = false

    /// Creates the output with one stream per `sources` entry (codec parameters copied, no
    /// re-encoding), opens `url` and writes the container header.
    init(
        url: String, formatName: String, sources: [UnsafeMutablePointer<AVStream>],
        interrupt: AVIOInterruptCB, options: [String: String]
    ) throws(FFmpegError) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        try FFmpegError.check(
            avformat_alloc_output_context2(&context, nil, formatName, url),
            "avformat_alloc_output_context2"
        )
        guard let context else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_alloc_output_context2")
        }
        pointer = context
        // From here on deinit frees the context on every path, including the throws below.
        context.pointee.interrupt_callback = interrupt
        for source in sources {
            guard let stream = avformat_new_stream(context, nil) else {
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_new_stream")
            }
            try FFmpegError.check(
                avcodec_parameters_copy(stream.pointee.codecpar, source.pointee.codecpar),
                "avcodec_parameters_copy"
            )
            stream.pointee.codecpar.pointee.codec_tag = 0
            stream.pointee.time_base = source.pointee.time_base
        }
        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            let dictionary = try FFmpegDictionary(options)
            try FFmpegError.check(
                avio_open2(&context.pointee.pb, url, AVIO_FLAG_WRITE, &context.pointee.interrupt_callback, &dictionary.raw),
                "avio_open2"
            )
        }
        try FFmpegError.check(avformat_write_header(context, nil), "avformat_write_header")
    }

    /// The time base the muxer chose for output stream `index` (valid after the header).
    func timeBase(ofStream index: Int) -> AVRational {
        pointer.pointee.streams[index]!.pointee.time_base
    }

    /// Muxes `packet` (timestamps already in the output stream's time base); takes its payload.
    func write(_ packet: MediaPacket) throws(FFmpegError) {
        try FFmpegError.check(av_interleaved_write_frame(pointer, packet.pointer), "av_interleaved_write_frame")
    }

    /// Flushes queued packets and writes the container trailer.
    func finish() throws(FFmpegError) {
        guard !trailerWritten else { return }
        trailerWritten = true
        try FFmpegError.check(av_write_trailer(pointer), "av_write_trailer")
    }

    deinit {
        if pointer.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0, pointer.pointee.pb != nil {
            avio_closep(&pointer.pointee.pb)
        }
        avformat_free_context(pointer)
    }
}
