internal import CFFmpeg

/// Owns one `SwrContext`, from `swr_alloc_set_opts2` to `swr_free`: converts decoded frames of
/// one input shape (format, rate, channel count) to a fixed output shape, either frame to
/// frame or (interleaved output only) straight into an ``AudioSampleFIFO``.
///
/// Mono input is copied to every output channel at full level (libswresample's default matrix
/// would lower it by 3 dB).
package final class AudioResampler {
    private let pointer: OpaquePointer
    let inputFormat: Int32
    let inputRate: Int32
    let inputChannels: Int32
    private let outputChannels: Int32
    private let outputBytesPerSample: Int
    private let outputInterleaved: Bool
    private var scratch: [UInt8] = []

    /// A resampler from `inputLayout`/`inputFormat`/`inputRate` to `outputChannels` (default
    /// layout) of `outputFormat` at `outputRate`.
    init(
        inputLayout: UnsafeMutablePointer<AVChannelLayout>, inputFormat: AVSampleFormat, inputRate: Int32,
        outputChannels: Int32, outputFormat: AVSampleFormat, outputRate: Int32
    ) throws(FFmpegError) {
        var output = AVChannelLayout()
        av_channel_layout_default(&output, outputChannels)
        defer { av_channel_layout_uninit(&output) }
        var context: OpaquePointer?
        try FFmpegError.check(
            swr_alloc_set_opts2(
                &context, &output, outputFormat, outputRate, inputLayout, inputFormat, inputRate, 0, nil
            ), "swr_alloc_set_opts2")
        guard let context else { throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "swr_alloc_set_opts2") }
        pointer = context  // owned from here on: deinit frees it if a later step throws
        self.inputFormat = inputFormat.rawValue
        self.inputRate = inputRate
        inputChannels = inputLayout.pointee.nb_channels
        self.outputChannels = outputChannels
        outputBytesPerSample = Int(av_get_bytes_per_sample(outputFormat))
        outputInterleaved = av_sample_fmt_is_planar(outputFormat) == 0 || outputChannels == 1
        if inputChannels == 1 {
            let matrix = [Double](repeating: 1, count: Int(outputChannels))
            try FFmpegError.check(swr_set_matrix(context, matrix, 1), "swr_set_matrix")
        }
        try FFmpegError.check(swr_init(context), "swr_init")
    }

    /// A resampler for frames shaped like `frame`.
    convenience init(
        like frame: MediaFrame, outputChannels: Int32, outputFormat: AVSampleFormat, outputRate: Int32
    ) throws(FFmpegError) {
        let f = frame.pointer
        try self.init(
            inputLayout: &f.pointee.ch_layout, inputFormat: AVSampleFormat(rawValue: f.pointee.format), inputRate: f.pointee.sample_rate,
            outputChannels: outputChannels, outputFormat: outputFormat, outputRate: outputRate)
    }

    /// A resampler for frames shaped like `frame` to interleaved 32-bit float, `channels`
    /// channels (default layout) at `rate`.
    package convenience init(like frame: MediaFrame, interleavedFloatChannels channels: Int32, rate: Int32) throws(FFmpegError) {
        try self.init(like: frame, outputChannels: channels, outputFormat: AV_SAMPLE_FMT_FLT, outputRate: rate)
    }

    deinit {
        var context: OpaquePointer? = pointer
        swr_free(&context)
    }

    /// Whether `frame` has the shape this resampler was made for.
    package func accepts(_ frame: MediaFrame) -> Bool {
        let f = frame.pointer.pointee
        return f.format == inputFormat && f.sample_rate == inputRate && f.ch_layout.nb_channels == inputChannels
    }

    /// `swr_convert_frame`: converts `input` into `output` (whose format, rate and layout are set;
    /// buffers are allocated when it has none). Returns the negative code on failure.
    func convertFrame(_ input: MediaFrame, into output: MediaFrame) -> Int32 {
        swr_convert_frame(pointer, output.pointer, input.pointer)
    }

    /// Converts `frame` (nil: the samples still buffered inside, at the end) into `fifo`.
    package func convert(_ frame: MediaFrame?, into fifo: AudioSampleFIFO) throws(FFmpegError) {
        guard outputInterleaved else { throw FFmpegError(code: cffmpeg_AVERROR(EINVAL), operation: "AudioResampler planar into FIFO") }
        let inputCount = frame?.pointer.pointee.nb_samples ?? 0
        let capacity = swr_get_out_samples(pointer, inputCount)
        guard capacity > 0 else { return }
        let bytes = Int(capacity) * Int(outputChannels) * outputBytesPerSample
        if scratch.count < bytes { scratch = [UInt8](repeating: 0, count: bytes) }
        let input = frame.flatMap { $0.pointer.pointee.extended_data }
            .map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UnsafePointer<UInt8>?.self) }
        let failure: FFmpegError? = scratch.withUnsafeMutableBytes { raw -> FFmpegError? in
            var output = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            let converted = swr_convert(pointer, &output, capacity, input, inputCount)
            var plane = raw.baseAddress
            do throws(FFmpegError) {
                try FFmpegError.check(converted, "swr_convert")
                try fifo.write(&plane, count: converted)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}
