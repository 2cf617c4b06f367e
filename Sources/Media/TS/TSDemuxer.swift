internal import CFFmpeg

/// Demuxes MPEG-TS from memory: libavformat's `mpegts` demuxer reading a ``TSByteQueue``
/// through a custom AVIOContext. Blocking: run it on its own thread, never on an event loop.
public final class TSDemuxer {
    /// Streams found while probing (index = ``MediaPacket/streamIndex``).
    public let streams: [MediaStreamInfo]
    private let context: FormatContext

    /// Opens and probes the input. Small probe limits keep a live start fast: libavformat's
    /// defaults (5 MB / 5 s) would hold a new publisher for seconds before its first frame.
    /// - Throws: ``FFmpegError`` when the bytes are not MPEG-TS or the input ends first.
    public init(input: TSByteQueue, probeSize: Int = 200_000, analyzeDurationMicroseconds: Int = 500_000) throws(FFmpegError) {
        let io = try CustomIOContext(reading: input)
        let options = try FFmpegDictionary([
            "probesize": String(probeSize), "analyzeduration": String(analyzeDurationMicroseconds),
        ])
        let context = try FormatContext(io: io, formatName: "mpegts", options: options)
        context.pointer.pointee.probesize = Int64(probeSize)
        context.pointer.pointee.max_analyze_duration = Int64(analyzeDurationMicroseconds)
        try FFmpegError.check(avformat_find_stream_info(context.pointer, nil), "avformat_find_stream_info")
        self.context = context
        let count = Int(context.pointer.pointee.nb_streams)
        streams = (0..<count).compactMap { index in
            context.pointer.pointee.streams[index].map { MediaStreamInfo(stream: $0) }
        }
    }

    /// The next packet, in stream order; `.endOfStream` once the input is closed and drained.
    public func readPacket() throws(FFmpegError) -> MediaInput.ReadResult {
        try context.readPacket()
    }
}
