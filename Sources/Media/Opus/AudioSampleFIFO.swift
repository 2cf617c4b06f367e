internal import CFFmpeg

/// Owns one `AVAudioFifo`, from `av_audio_fifo_alloc` to `av_audio_fifo_free`: a queue of
/// samples in one format and channel count that grows as needed, so audio arriving in the
/// decoder's frame sizes can leave in the encoder's (e.g. 1024 in, 960 out).
package final class AudioSampleFIFO {
    let pointer: OpaquePointer

    init(format: AVSampleFormat, channels: Int32, capacity: Int32) throws(FFmpegError) {
        guard let fifo = av_audio_fifo_alloc(format, channels, max(capacity, 1)) else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "av_audio_fifo_alloc")
        }
        pointer = fifo
    }

    deinit {
        av_audio_fifo_free(pointer)
    }

    /// Samples (per channel) waiting.
    package var count: Int { Int(av_audio_fifo_size(pointer)) }

    /// Appends `count` samples from `planes` (one pointer for interleaved formats).
    func write(_ planes: UnsafeMutablePointer<UnsafeMutableRawPointer?>, count: Int32) throws(FFmpegError) {
        guard count > 0 else { return }
        let written = try FFmpegError.check(av_audio_fifo_write(pointer, planes, count), "av_audio_fifo_write")
        guard written == count else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "av_audio_fifo_write")
        }
    }

    /// Moves up to `count` samples into the start of `frame`'s buffers; returns how many moved.
    package func read(into frame: MediaFrame, count: Int32) -> Int32 {
        let planes = UnsafeMutableRawPointer(frame.pointer.pointee.extended_data)
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        return max(0, av_audio_fifo_read(pointer, planes, count))
    }
}
