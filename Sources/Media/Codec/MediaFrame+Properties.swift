internal import CFFmpeg

/// The fields of a frame its users read and stamp, without the C struct.
extension MediaFrame {
    /// The presentation time, in its stream's time base.
    package var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }

    /// A picture's size in pixels.
    package var width: Int { Int(pointer.pointee.width) }
    package var height: Int { Int(pointer.pointee.height) }

    /// Audio's sample rate and channel count.
    package var sampleRate: Int32 { pointer.pointee.sample_rate }
    package var channelCount: Int32 { pointer.pointee.ch_layout.nb_channels }
}
