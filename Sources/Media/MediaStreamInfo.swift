internal import CFFmpeg

/// What libavformat learned about one stream while probing, copied into Swift values.
///
/// Holds no C pointers, so it can outlive its ``MediaInput`` and cross concurrency domains.
public struct MediaStreamInfo: Sendable, Equatable {
    /// The stream's index in its container (matches ``MediaPacket/streamIndex``).
    public let index: Int
    /// Whether the stream carries video, audio or something else.
    public let kind: Kind
    /// The codec's short name from `avcodec_get_name`, e.g. `"h264"` or `"aac"`.
    public let codecName: String
    /// Picture width in pixels; 0 for non-video streams.
    public let width: Int
    /// Picture height in pixels; 0 for non-video streams.
    public let height: Int
    /// Average frames per second, when the container or codec states one.
    public let frameRate: Double?
    /// Audio samples per second; 0 for non-audio streams.
    public let sampleRate: Int
    /// Audio channel count; 0 for non-audio streams.
    public let channels: Int
    /// The unit of packet timestamps on this stream.
    public let timeBase: TimeBase
    /// Codec-specific setup bytes (e.g. an avcC record or AudioSpecificConfig); may be empty.
    public let extradata: [UInt8]

    /// Copies the description of `stream`.
    init(stream: UnsafeMutablePointer<AVStream>) {
        let parameters = stream.pointee.codecpar.pointee
        index = Int(stream.pointee.index)
        kind = Kind(parameters.codec_type)
        codecName = String(cString: avcodec_get_name(parameters.codec_id))
        width = Int(parameters.width)
        height = Int(parameters.height)
        frameRate = kind == .video ? Self.rate(stream.pointee.avg_frame_rate, stream.pointee.r_frame_rate) : nil
        sampleRate = Int(parameters.sample_rate)
        channels = Int(parameters.ch_layout.nb_channels)
        timeBase = TimeBase(numerator: Int(stream.pointee.time_base.num), denominator: Int(stream.pointee.time_base.den))
        if let bytes = parameters.extradata, parameters.extradata_size > 0 {
            extradata = Array(UnsafeBufferPointer(start: bytes, count: Int(parameters.extradata_size)))
        } else {
            extradata = []
        }
    }

    /// The first of `candidates` with a positive numerator and denominator, as a Double.
    private static func rate(_ candidates: AVRational...) -> Double? {
        candidates.first { $0.num > 0 && $0.den > 0 }.map { Double($0.num) / Double($0.den) }
    }
}
