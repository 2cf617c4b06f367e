internal import CFFmpeg

/// The fields of a frame its users read and stamp, without the C struct.
extension MediaFrame {
    /// The presentation time, in its stream's time base.
    var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }

    /// A picture's size in pixels.
    var width: Int { Int(pointer.pointee.width) }
    var height: Int { Int(pointer.pointee.height) }

    /// Audio's sample rate and channel count.
    var sampleRate: Int32 { pointer.pointee.sample_rate }
    var channelCount: Int32 { pointer.pointee.ch_layout.nb_channels }
}
