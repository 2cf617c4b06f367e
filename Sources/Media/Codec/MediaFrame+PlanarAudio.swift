internal import CFFmpeg

extension MediaFrame {
    /// `samples` samples of planar float audio, `channels` channels (their default layout) at
    /// `sampleRate`, with buffers allocated.
    package convenience init(planarFloatSamples samples: Int, channels: Int32, sampleRate: Int32) throws(FFmpegError) {
        try self.init()
        pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        pointer.pointee.nb_samples = Int32(samples)
        pointer.pointee.sample_rate = sampleRate
        av_channel_layout_default(&pointer.pointee.ch_layout, channels)
        try FFmpegError.check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    /// Channel `channel` of planar float audio.
    package func floatChannel(_ channel: Int) -> UnsafeMutableBufferPointer<Float> {
        let base = UnsafeMutableRawPointer(plane(channel).base).assumingMemoryBound(to: Float.self)
        return UnsafeMutableBufferPointer(start: base, count: Int(pointer.pointee.nb_samples))
    }
}
