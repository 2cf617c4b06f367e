internal import CFFmpeg

/// Scales decoded pictures to one rung's size in YUV 4:2:0. Owns its `SwsContext` and output frame.
/// A picture that already is the rung's size in YUV 4:2:0 (a 720p source's 720p rung) goes to the
/// encoder as it is: no copy.
package final class FrameScaler {
    let output: MediaFrame
    private var context: OpaquePointer?
    private var input: (width: Int32, height: Int32, format: Int32) = (0, 0, -1)

    package init(width: Int, height: Int) throws(FFmpegError) {
        output = try MediaFrame(yuv420pWidth: width, height: height)
    }

    deinit {
        sws_freeContext(context)
    }

    /// Scales `frame` into ``output`` (a new context when the input's size or format changed);
    /// `frame` itself when it needs no scaling.
    package func scale(_ frame: MediaFrame) throws(FFmpegError) -> MediaFrame {
        let f = frame.pointer.pointee
        let o = output.pointer.pointee
        if (f.width, f.height, f.format) == (o.width, o.height, AV_PIX_FMT_YUV420P.rawValue) { return frame }
        if context == nil || input != (f.width, f.height, f.format) {
            sws_freeContext(context)
            context = sws_getContext(
                f.width, f.height, AVPixelFormat(rawValue: f.format), output.pointer.pointee.width,
                output.pointer.pointee.height, AV_PIX_FMT_YUV420P, Int32(SWS_BILINEAR), nil, nil, nil
            )
            guard context != nil else {
                throw FFmpegError(code: cffmpeg_AVERROR(EINVAL), operation: "sws_getContext")
            }
            input = (f.width, f.height, f.format)
        }
        try output.makeWritable()
        try FFmpegError.check(sws_scale_frame(context, output.pointer, frame.pointer), "sws_scale_frame")
        return output
    }
}
