internal import CFFmpeg

extension AudioSampleFIFO {
    /// A queue of planar 32-bit float samples, `channels` channels.
    package convenience init(planarFloatChannels channels: Int32, capacity: Int32) throws(FFmpegError) {
        try self.init(format: AV_SAMPLE_FMT_FLTP, channels: channels, capacity: capacity)
    }

    /// A queue of interleaved 32-bit float samples, `channels` channels.
    package convenience init(interleavedFloatChannels channels: Int32, capacity: Int32) throws(FFmpegError) {
        try self.init(format: AV_SAMPLE_FMT_FLT, channels: channels, capacity: capacity)
    }

    /// Appends every sample of `frame` (in the queue's format and channel count).
    package func write(_ frame: MediaFrame) throws(FFmpegError) {
        let planes = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        try write(planes, count: frame.pointer.pointee.nb_samples)
    }

    /// Moves up to `count` samples of interleaved 32-bit float into `samples` (from its start;
    /// it must hold `count` × channels); returns how many moved.
    package func read(interleavedFloats samples: inout [Float], count: Int) -> Int {
        samples.withUnsafeMutableBytes { raw -> Int in
            var plane = raw.baseAddress
            return Int(max(0, av_audio_fifo_read(pointer, &plane, Int32(count))))
        }
    }

    /// Drops the oldest `count` samples.
    package func drain(_ count: Int) {
        guard count > 0 else { return }
        av_audio_fifo_drain(pointer, Int32(min(count, self.count)))
    }
}
