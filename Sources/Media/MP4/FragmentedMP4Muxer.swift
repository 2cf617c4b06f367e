internal import CFFmpeg
public import RelayCore

/// Muxes the relay's FLV-tag messages (H.264 in AVCC, raw AAC) into fragmented MP4 in memory
/// with libavformat's `mp4` muxer, without re-encoding: ``initSection`` (ftyp + moov) once, then
/// a fragment (moof + mdat of both tracks) each time ``cutFragment()`` is called, as HLS fMP4
/// segments and recordings need. Fragments keep the stream's own timestamps (tfdt), so
/// variants cut at the same keyframes line up. One owner; not thread-safe.
public final class FragmentedMP4Muxer {
    /// The codec configuration a muxer is made for, from a stream's sequence headers.
    public struct Tracks: Sendable, Equatable {
        /// The AVCDecoderConfigurationRecord and the picture size it describes.
        public var video: (record: [UInt8], configuration: AVCConfiguration)?
        /// The AudioSpecificConfig and what it says.
        public var audio: (config: [UInt8], configuration: AACConfiguration)?

        public init() {}

        /// Takes a sequence header message; false when it is malformed or not AVC/AAC.
        public mutating func apply(sequenceHeader message: MediaMessage) -> Bool {
            let bytes = Array(message.payload.readableBytesView)
            switch message.kind {
            case .video:
                guard bytes.count > 5, bytes[0] & 0x8F == 7, let parsed = try? AVCConfiguration.parse(Array(bytes[5...])) else { return false }
                video = (AVCHighProfileExtension.completing(Array(bytes[5...])), parsed)
            case .audio:
                guard bytes.count > 2, bytes[0] >> 4 == 10, let parsed = try? AACConfiguration.parse(Array(bytes[2...])) else { return false }
                audio = (Array(bytes[2...]), parsed)
            case .metadata:
                return false
            }
            return true
        }

        /// The video's RFC 6381 codec name, `avc1.PPCCLL` from the record's profile and level.
        public var videoCodec: String? {
            guard let record = video?.record, record.count >= 4 else { return nil }
            return "avc1." + record[1...3].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        }

        /// The audio's, `mp4a.40.<object type>`.
        public var audioCodec: String? { audio.map { "mp4a.40.\($0.configuration.objectType)" } }

        /// The HLS CODECS attribute (RFC 8216 4.4.6.2) of both tracks.
        public var codecs: String { [videoCodec, audioCodec].compactMap { $0 }.joined(separator: ",") }

        public static func == (lhs: Tracks, rhs: Tracks) -> Bool {
            lhs.video?.record == rhs.video?.record && lhs.audio?.config == rhs.audio?.config
        }
    }

    public let tracks: Tracks
    /// ftyp + moov: what a player needs before any fragment (HLS EXT-X-MAP).
    public private(set) var initSection: [UInt8] = []
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let io: CustomIOContext
    private let collected: Collected
    private var videoIndex: Int32?
    private var audioIndex: Int32?
    private var lastDts: [Int64] = [Int64.min, Int64.min]
    /// Packets muxed since the last cut.
    public private(set) var pendingPackets = 0
    private var finished = false

    public init(tracks: Tracks) throws(FFmpegError) {
        guard tracks.video != nil || tracks.audio != nil else { throw .invalidData("FragmentedMP4Muxer: no track") }
        self.tracks = tracks
        let collected = Collected()
        self.collected = collected
        io = try CustomIOContext(writing: ChunkSink { collected.bytes.append(contentsOf: $0) }, bufferSize: 64 * 1024)
        var allocated: UnsafeMutablePointer<AVFormatContext>?
        try FFmpegError.check(avformat_alloc_output_context2(&allocated, nil, "mp4", nil), "avformat_alloc_output_context2")
        guard let allocated else { throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_alloc_output_context2") }
        context = allocated
        // From here deinit frees the context on every path.
        var next: Int32 = 0
        if let video = tracks.video {
            let stream = try Self.newStream(context, extradata: video.record)
            stream.pointee.codecpar.pointee.codec_type = AVMEDIA_TYPE_VIDEO
            stream.pointee.codecpar.pointee.codec_id = AV_CODEC_ID_H264
            stream.pointee.codecpar.pointee.width = Int32(video.configuration.width)
            stream.pointee.codecpar.pointee.height = Int32(video.configuration.height)
            stream.pointee.time_base = AVRational(num: 1, den: 90_000)
            videoIndex = next
            next += 1
        }
        if let audio = tracks.audio {
            let stream = try Self.newStream(context, extradata: audio.config)
            stream.pointee.codecpar.pointee.codec_type = AVMEDIA_TYPE_AUDIO
            stream.pointee.codecpar.pointee.codec_id = AV_CODEC_ID_AAC
            stream.pointee.codecpar.pointee.sample_rate = Int32(audio.configuration.sampleRate)
            stream.pointee.codecpar.pointee.frame_size = 1024
            av_channel_layout_default(&stream.pointee.codecpar.pointee.ch_layout, Int32(max(audio.configuration.channels, 1)))
            stream.pointee.time_base = AVRational(num: 1, den: Int32(audio.configuration.sampleRate))
            audioIndex = next
        }
        context.pointee.pb = io.pointer
        // Timestamps as they are: the mp4 muxer would otherwise shift the first one to zero.
        context.pointee.avoid_negative_ts = 0  // AVFMT_AVOID_NEG_TS_DISABLED
        // empty_moov: the moov (no samples) is the init section; frag_custom: a fragment only when
        // cut; default_base_moof: CMAF's offsets; frag_discont + no edit list: the first
        // fragment's tfdt is the stream's own first timestamp, not shifted to zero.
        let options = try FFmpegDictionary([
            "movflags": "empty_moov+frag_custom+default_base_moof+frag_discont",
            "use_editlist": "0",
        ])
        try FFmpegError.check(avformat_write_header(context, &options.raw), "avformat_write_header")
        io.flush()
        initSection = collected.take()
    }

    private static func newStream(_ context: UnsafeMutablePointer<AVFormatContext>, extradata: [UInt8]) throws(FFmpegError) -> UnsafeMutablePointer<
        AVStream
    > {
        guard let stream = avformat_new_stream(context, nil),
            let buffer = av_mallocz(extradata.count + Int(AV_INPUT_BUFFER_PADDING_SIZE))?.assumingMemoryBound(to: UInt8.self)
        else { throw FFmpegError(code: FFmpegError.outOfMemoryCode, operation: "avformat_new_stream") }
        buffer.update(from: extradata, count: extradata.count)
        // The stream's codec parameters own the buffer from here (freed with the context).
        stream.pointee.codecpar.pointee.extradata = buffer
        stream.pointee.codecpar.pointee.extradata_size = Int32(extradata.count)
        return stream
    }

    /// Muxes one media message (not a sequence header) into the current fragment. Messages of a
    /// track the muxer has not, or not in this codec, are ignored.
    public func write(_ message: MediaMessage) throws(FFmpegError) {
        guard !message.isSequenceHeader, !finished else { return }
        let view = message.payload.readableBytesView
        guard let first = view.first else { return }
        let index: Int32
        let skip: Int
        var ptsOffsetMillis: Int64 = 0
        switch message.kind {
        case .video:
            guard let videoIndex, first & 0x8F == 7, view.count > 5, view[view.startIndex + 1] == 1 else { return }
            let start = view.startIndex
            let raw = Int32(view[start + 2]) << 16 | Int32(view[start + 3]) << 8 | Int32(view[start + 4])
            ptsOffsetMillis = Int64(raw & 0x80_0000 != 0 ? raw - 0x100_0000 : raw)
            index = videoIndex
            skip = 5
        case .audio:
            guard let audioIndex, first >> 4 == 10, view.count > 2 else { return }
            index = audioIndex
            skip = 2
        case .metadata:
            return
        }
        var dts = Int64(message.timestamp)
        if dts <= lastDts[Int(index)] { dts = lastDts[Int(index)] + 1 }
        lastDts[Int(index)] = dts
        let size = view.count - skip
        guard size > 0 else { return }

        let packet = try MediaPacket()
        try FFmpegError.check(av_new_packet(packet.pointer, Int32(size)), "av_new_packet")
        message.payload.withUnsafeReadableBytes { bytes in
            packet.pointer.pointee.data.update(from: bytes.baseAddress!.advanced(by: skip).assumingMemoryBound(to: UInt8.self), count: size)
        }
        let timeBase = context.pointee.streams[Int(index)]!.pointee.time_base
        let millis = AVRational(num: 1, den: 1000)
        packet.pointer.pointee.stream_index = index
        packet.pointer.pointee.dts = av_rescale_q(dts, millis, timeBase)
        packet.pointer.pointee.pts = av_rescale_q(max(dts + ptsOffsetMillis, dts), millis, timeBase)
        if message.kind == .audio || message.isKeyframe { packet.pointer.pointee.flags |= cffmpeg_AV_PKT_FLAG_KEY() }
        try FFmpegError.check(av_write_frame(context, packet.pointer), "av_write_frame")
        pendingPackets += 1
    }

    /// Ends the current fragment and returns it (moof + mdat); empty when nothing was muxed.
    public func cutFragment() throws(FFmpegError) -> [UInt8] {
        guard pendingPackets > 0, !finished else { return [] }
        try FFmpegError.check(av_write_frame(context, nil), "av_write_frame(flush)")
        io.flush()
        pendingPackets = 0
        return collected.take()
    }

    /// Ends the file: the last fragment (if anything is pending) and the trailer (an `mfra`
    /// index of the fragments, which players use to seek). Nothing may be written after it.
    public func finish() throws(FFmpegError) -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        try FFmpegError.check(av_write_trailer(context), "av_write_trailer")
        io.flush()
        pendingPackets = 0
        return collected.take()
    }

    deinit {
        context.pointee.pb = nil
        avformat_free_context(context)
    }
}

/// Bytes the muxer wrote since they were last taken.
private final class Collected {
    var bytes: [UInt8] = []

    func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true) }
        return bytes
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
