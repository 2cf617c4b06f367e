internal import CFFmpeg

extension MediaFrame {
    /// `samples` samples of interleaved `format` audio (one plane) in the layout and rate of
    /// `codec`, with buffers allocated.
    convenience init(
        interleaved format: AVSampleFormat, like codec: UnsafeMutablePointer<AVCodecContext>, samples: Int
    ) throws(FFmpegError) {
        try self.init()
        pointer.pointee.format = format.rawValue
        pointer.pointee.nb_samples = Int32(samples)
        pointer.pointee.sample_rate = codec.pointee.sample_rate
        try FFmpegError.check(av_channel_layout_copy(&pointer.pointee.ch_layout, &codec.pointee.ch_layout), "av_channel_layout_copy")
        try FFmpegError.check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }
}
