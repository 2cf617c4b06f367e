internal import CFFmpeg

extension MediaFrame {
    /// A new frame referencing `frame`'s buffers (`av_frame_ref`): it stays valid after the
    /// decoder that filled `frame` reuses it.
    package convenience init(referencing frame: MediaFrame) throws(FFmpegError) {
        try self.init()
        try FFmpegError.check(av_frame_ref(pointer, frame.pointer), "av_frame_ref")
    }
}
