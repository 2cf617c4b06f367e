internal import CFFmpeg

/// A demuxed media source (file path or URL) opened with libavformat.
///
/// Opening probes the container and its streams once; ``readPacket()`` then returns
/// compressed packets in file order. Not thread-safe: use one instance from one task.
public final class MediaInput {
    /// The streams found while probing, indexed as in ``MediaPacket/streamIndex``.
    public let streams: [MediaStreamInfo]

    private let context: FormatContext

    /// Opens and probes `url` (`avformat_open_input` + `avformat_find_stream_info`).
    ///
    /// - Throws: ``FFmpegError`` naming the step that failed, e.g. a missing file or
    ///   unrecognised data.
    public init(url: String, options: MediaInputOptions = MediaInputOptions()) throws(FFmpegError) {
        let dictionary = try FFmpegDictionary(options.entries)
        let context = try FormatContext(url: url, options: dictionary)
        try FFmpegError.check(
            avformat_find_stream_info(context.pointer, nil),
            "avformat_find_stream_info"
        )
        self.context = context
        self.streams = Self.describeStreams(of: context.pointer)
    }

    /// Reads the next compressed packet (`av_read_frame`).
    ///
    /// End of input and "try again" are results, not errors, because both are expected
    /// on every live source.
    public func readPacket() throws(FFmpegError) -> ReadResult {
        try context.readPacket()
    }

    private static func describeStreams(of context: UnsafeMutablePointer<AVFormatContext>) -> [MediaStreamInfo] {
        let count = Int(context.pointee.nb_streams)
        guard count > 0, let list = context.pointee.streams else { return [] }
        return (0..<count).compactMap { index in
            list[index].map { MediaStreamInfo(stream: $0) }
        }
    }
}
