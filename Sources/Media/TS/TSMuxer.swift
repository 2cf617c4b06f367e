internal import CFFmpeg

/// Muxes H.264/AAC elementary packets into MPEG-TS in memory with libavformat's `mpegts`
/// muxer: output goes to ``chunk`` in payloads of at most 7×188 = 1316 bytes (one SRT live
/// packet). Every video keyframe starts a new chunk that begins with PAT/PMT, flagged with the
/// keyframe's time so a new player (or one switching rungs) can start there.
public final class TSMuxer {
    public static let chunkSize = 7 * 188

    private let context: UnsafeMutablePointer<AVFormatContext>
    private let io: CustomIOContext
    private let marker: KeyframeMarker
    private var videoIndex: Int32?
    private var audioIndex: Int32?
    private var lastDts: [Int64] = [Int64.min, Int64.min]

    /// Creates the muxer for `configuration` and writes the header.
    /// - Parameter chunk: called on the muxing thread with each output payload and, when it
    ///   starts a keyframe (PAT/PMT first), that keyframe's DTS in milliseconds; the bytes are
    ///   valid only during the call.
    /// - Parameter tablesVersion: the PAT/PMT version (0–31); a program that replaces another
    ///   on the same output takes the next one.
    public init(
        configuration: FLVToTSConverter.Configuration, tablesVersion: Int = 0,
        chunk: @escaping (UnsafeRawBufferPointer, _ keyframeDts: Int64?) -> Void
    ) throws(FFmpegError) {
        let marker = KeyframeMarker()
        self.marker = marker
        io = try CustomIOContext(
            writing: ChunkSink { bytes in
                let keyframe = marker.pending
                marker.pending = nil
                chunk(bytes, keyframe)
            }, bufferSize: Self.chunkSize)
        var allocated: UnsafeMutablePointer<AVFormatContext>?
        try FFmpegError.check(avformat_alloc_output_context2(&allocated, nil, "mpegts", nil), "avformat_alloc_output_context2")
        guard let allocated else { throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_alloc_output_context2") }
        context = allocated
        // From here deinit frees the context on every path.
        var next: Int32 = 0
        if let video = configuration.video {
            guard let stream = avformat_new_stream(context, nil) else {
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_new_stream")
            }
            stream.pointee.codecpar.pointee.codec_type = AVMEDIA_TYPE_VIDEO
            stream.pointee.codecpar.pointee.codec_id = AV_CODEC_ID_H264
            stream.pointee.codecpar.pointee.width = Int32(video.width)
            stream.pointee.codecpar.pointee.height = Int32(video.height)
            stream.pointee.time_base = AVRational(num: 1, den: 1000)
            videoIndex = next
            next += 1
        }
        if let audio = configuration.audio {
            guard let stream = avformat_new_stream(context, nil) else {
                throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_new_stream")
            }
            stream.pointee.codecpar.pointee.codec_type = AVMEDIA_TYPE_AUDIO
            stream.pointee.codecpar.pointee.codec_id = AV_CODEC_ID_AAC
            stream.pointee.codecpar.pointee.sample_rate = Int32(audio.sampleRate)
            av_channel_layout_default(&stream.pointee.codecpar.pointee.ch_layout, Int32(max(audio.channels, 1)))
            stream.pointee.time_base = AVRational(num: 1, den: 1000)
            audioIndex = next
        }
        context.pointee.pb = io.pointer
        let options = try FFmpegDictionary([
            "flush_packets": "0", "pes_payload_size": "0", "tables_version": "\(tablesVersion % 32)",
        ])
        try FFmpegError.check(avformat_write_header(context, &options.raw), "avformat_write_header")
        io.flush()  // the header's PAT/PMT go out now; the first keyframe starts a fresh chunk
    }

    /// Muxes one packet (timestamps in milliseconds); non-increasing timestamps are nudged.
    public func write(_ packet: ElementaryPacket) throws(FFmpegError) {
        let index: Int32?
        switch packet.codec {
        case .h264: index = videoIndex
        case .aac: index = audioIndex
        }
        guard let index, !packet.data.isEmpty else { return }
        var dts = packet.dtsMillis
        if dts <= lastDts[Int(index)] { dts = lastDts[Int(index)] + 1 }
        lastDts[Int(index)] = dts
        let pts = max(packet.ptsMillis, dts)

        let media = try MediaPacket()
        try FFmpegError.check(av_new_packet(media.pointer, Int32(packet.data.count)), "av_new_packet")
        packet.data.withUnsafeBytes { source in
            media.pointer.pointee.data.update(from: source.bindMemory(to: UInt8.self).baseAddress!, count: packet.data.count)
        }
        let timeBase = context.pointee.streams[Int(index)]!.pointee.time_base
        let millis = AVRational(num: 1, den: 1000)
        media.pointer.pointee.stream_index = index
        media.pointer.pointee.dts = av_rescale_q(dts, millis, timeBase)
        media.pointer.pointee.pts = av_rescale_q(pts, millis, timeBase)
        if packet.isKeyframe { media.pointer.pointee.flags |= cffmpeg_AV_PKT_FLAG_KEY() }
        if packet.codec == .h264, packet.isKeyframe {
            io.flush()
            marker.pending = dts
        }
        try FFmpegError.check(av_write_frame(context, media.pointer), "av_write_frame")
    }

    /// Writes out buffered bytes now (a partial chunk).
    public func flush() {
        io.flush()
    }

    deinit {
        context.pointee.pb = nil
        avformat_free_context(context)
    }
}

/// The DTS of the keyframe the next output chunk starts (set just before the keyframe is muxed).
private final class KeyframeMarker {
    var pending: Int64?
}
