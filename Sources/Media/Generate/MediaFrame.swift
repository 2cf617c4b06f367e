internal import CFFmpeg

/// Owns one `AVFrame` and its buffers, from `av_frame_alloc` to `av_frame_free`.
package final class MediaFrame {
    /// The owned frame; non-nil for the object's whole life.
    let pointer: UnsafeMutablePointer<AVFrame>

    /// An empty frame (no buffers): a decoder fills it.
    package init() throws(FFmpegError) {
        guard let frame = av_frame_alloc() else {
            throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "av_frame_alloc")
        }
        pointer = frame
    }

    /// A picture of `width`×`height` in YUV 4:2:0 planar.
    convenience init(yuv420pWidth width: Int, height: Int) throws(FFmpegError) {
        try self.init()
        pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        pointer.pointee.width = Int32(width)
        pointer.pointee.height = Int32(height)
        try FFmpegError.check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    /// `samples` samples of planar float audio in the layout and rate of `encoder`.
    convenience init(audioFor encoder: UnsafeMutablePointer<AVCodecContext>, samples: Int) throws(FFmpegError) {
        try self.init()
        pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        pointer.pointee.nb_samples = Int32(samples)
        pointer.pointee.sample_rate = encoder.pointee.sample_rate
        try FFmpegError.check(av_channel_layout_copy(&pointer.pointee.ch_layout, &encoder.pointee.ch_layout), "av_channel_layout_copy")
        try FFmpegError.check(av_frame_get_buffer(pointer, 0), "av_frame_get_buffer")
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    /// Makes the buffers exclusively ours again (an encoder may still reference them).
    func makeWritable() throws(FFmpegError) {
        try FFmpegError.check(av_frame_make_writable(pointer), "av_frame_make_writable")
    }

    /// Plane `index`: base address and bytes per row.
    func plane(_ index: Int) -> (base: UnsafeMutablePointer<UInt8>, stride: Int) {
        let data = withUnsafeMutablePointer(to: &pointer.pointee.data) {
            $0.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { $0[index]! }
        }
        let stride = withUnsafeMutablePointer(to: &pointer.pointee.linesize) {
            $0.withMemoryRebound(to: Int32.self, capacity: 8) { Int($0[index]) }
        }
        return (data, stride)
    }
}
