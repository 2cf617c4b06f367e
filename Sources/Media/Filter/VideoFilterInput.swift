internal import CFFmpeg

/// What a video buffer source of a ``FilterGraph`` is told about the frames it will get: their
/// size, pixel format and sample aspect ratio, and the stream's time base and frame rate.
package struct VideoFilterInput: Equatable {
    var width: Int32
    var height: Int32
    var format: Int32
    var sampleAspect: (num: Int32, den: Int32) = (1, 1)
    var timeBase: (num: Int32, den: Int32) = (1, 1000)
    var frameRate: (num: Int32, den: Int32) = (30, 1)

    /// The shape of `frame` (its sample aspect 1:1 when unknown), at `timeBase` and `frameRate`.
    package init(shapeOf frame: MediaFrame, timeBase: (num: Int32, den: Int32), frameRate: (num: Int32, den: Int32)) {
        let f = frame.pointer.pointee
        width = f.width
        height = f.height
        format = f.format
        if f.sample_aspect_ratio.num > 0, f.sample_aspect_ratio.den > 0 {
            sampleAspect = (f.sample_aspect_ratio.num, f.sample_aspect_ratio.den)
        }
        self.timeBase = timeBase
        self.frameRate = frameRate
    }

    /// The `buffer` filter's arguments.
    var bufferArguments: String {
        "video_size=\(width)x\(height):pix_fmt=\(format):time_base=\(timeBase.num)/\(timeBase.den)"
            + ":pixel_aspect=\(sampleAspect.num)/\(sampleAspect.den):frame_rate=\(frameRate.num)/\(frameRate.den)"
    }

    /// Whether frames of this shape can go to a source made for `other` (time base and rate aside).
    func sameShape(as other: VideoFilterInput) -> Bool {
        width == other.width && height == other.height && format == other.format
            && sampleAspect == other.sampleAspect
    }

    package static func == (a: VideoFilterInput, b: VideoFilterInput) -> Bool {
        a.sameShape(as: b) && a.timeBase == b.timeBase && a.frameRate == b.frameRate
    }
}
