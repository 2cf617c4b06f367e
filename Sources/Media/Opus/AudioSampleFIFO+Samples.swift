internal import CFFmpeg

extension AudioSampleFIFO {
    /// Moves up to `count` samples of interleaved 32-bit float into `samples` (from its start;
    /// it must hold `count` × channels); returns how many moved.
    func read(interleavedFloats samples: inout [Float], count: Int) -> Int {
        samples.withUnsafeMutableBytes { raw -> Int in
            var plane = raw.baseAddress
            return Int(max(0, av_audio_fifo_read(pointer, &plane, Int32(count))))
        }
    }

    /// Drops the oldest `count` samples.
    func drain(_ count: Int) {
        guard count > 0 else { return }
        av_audio_fifo_drain(pointer, Int32(min(count, self.count)))
    }
}
