internal import CFFmpeg

/// The libopus encoder (through libavcodec) as WebRTC wants it: 48 kHz stereo, interleaved
/// float input, 20 ms frames of 960 samples, application "audio" (music and speech), VBR.
///
/// libopus emits one packet per frame sent, so packets leave in the order frames went in.
final class OpusEncoder {
    static let sampleRate: Int32 = 48_000
    static let channels: Int32 = 2
    static let frameSamples: Int32 = 960
    static let sampleFormat = AV_SAMPLE_FMT_FLT
    /// libopus' accepted range for two channels.
    static let bitrates = 6_000...510_000

    private let codec: CodecContext
    private let frame: MediaFrame
    private var nextPts: Int64 = 0

    init(bitrate: Int) throws(FFmpegError) {
        guard Self.bitrates.contains(bitrate) else {
            throw FFmpegError(code: cffmpeg_AVERROR(EINVAL), operation: "libopus bitrate \(bitrate) outside \(Self.bitrates)")
        }
        codec = try CodecContext(encoderNamed: "libopus")
        let c = codec.pointer
        c.pointee.sample_fmt = Self.sampleFormat
        c.pointee.sample_rate = Self.sampleRate
        av_channel_layout_default(&c.pointee.ch_layout, Self.channels)
        c.pointee.bit_rate = Int64(bitrate)
        c.pointee.time_base = AVRational(num: 1, den: Self.sampleRate)
        try codec.setPrivateOption("application", "audio")
        try codec.setPrivateOption("frame_duration", "20")
        try codec.open()
        frame = try MediaFrame(interleaved: Self.sampleFormat, like: c, samples: Int(Self.frameSamples))
    }

    /// Encodes one 20 ms frame: up to 960 samples taken from `fifo`, silence for the rest
    /// (all silence when `fifo` is nil).
    func encodeFrame(from fifo: AudioSampleFIFO?) throws(FFmpegError) -> [MediaPacket] {
        try frame.makeWritable()
        let bytes = Int(Self.frameSamples * Self.channels) * MemoryLayout<Float>.size
        frame.plane(0).base.update(repeating: 0, count: bytes)
        if let fifo { _ = fifo.read(into: frame, count: Self.frameSamples) }
        frame.pointer.pointee.pts = nextPts
        nextPts += Int64(Self.frameSamples)
        return try codec.encode(frame)
    }

    /// Flushes the encoder (its look-ahead comes out as a last packet); it takes no frames after.
    func finish() throws(FFmpegError) -> [MediaPacket] {
        try codec.encode(nil)
    }
}
