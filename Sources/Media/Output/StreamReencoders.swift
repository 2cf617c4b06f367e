internal import CFFmpeg

/// One input stream decoded and re-encoded: packets in, encoded packets out. A packet the
/// decoder refuses (damaged input) is skipped, never fatal.
protocol StreamReencoder: AnyObject {
    var decoder: CodecContext { get }
    var encoder: CodecContext { get }
    var outputIndex: Int { get }
    /// Takes every frame the decoder has ready and returns what the encoder made of them.
    func drain() throws(FFmpegError) -> [MediaPacket]
}

extension StreamReencoder {
    /// Decodes `packet` and returns the packets it yields, in the encoder's time base.
    func transcode(_ packet: MediaPacket) throws(FFmpegError) -> [MediaPacket] {
        let sent = avcodec_send_packet(decoder.pointer, packet.pointer)
        guard sent >= 0 || sent == FFmpegError.tryAgainCode else { return [] }
        return try drain()
    }

    /// The decoder's and the encoder's last frames, at the end of the input.
    func finish() throws(FFmpegError) -> [MediaPacket] {
        avcodec_send_packet(decoder.pointer, nil)
        return try drain() + encode(nil)
    }

    func encode(_ frame: MediaFrame?) throws(FFmpegError) -> [MediaPacket] {
        try encoder.encode(frame, streamIndex: outputIndex)
    }
}

/// Decodes one input video stream and re-encodes it with libx264 at the same size and rate.
/// A packet or picture the decoder refuses (damaged input) is skipped, never fatal.
final class VideoReencoder: StreamReencoder {
    let sourceIndex: Int
    let outputIndex: Int
    let encoder: CodecContext
    let decoder: CodecContext
    private let decoded: MediaFrame
    private let scaler: FrameScaler
    private var lastPts = Int64.min

    init(source: UnsafeMutablePointer<AVStream>, outputIndex: Int) throws(FFmpegError) {
        sourceIndex = Int(source.pointee.index)
        self.outputIndex = outputIndex
        decoder = try CodecContext.openDecoder(for: source)

        let parameters = source.pointee.codecpar.pointee
        let width = max(16, Int(parameters.width) & ~1)
        let height = max(16, Int(parameters.height) & ~1)
        var rate = source.pointee.avg_frame_rate
        if rate.num <= 0 || rate.den <= 0 { rate = source.pointee.r_frame_rate }
        if rate.num <= 0 || rate.den <= 0 || rate.num / rate.den > 120 { rate = AVRational(num: 25, den: 1) }
        let gop = max(1, Int((2 * Double(rate.num) / Double(rate.den)).rounded()))
        let bitrate = Int64(max(300, 1500 * width * height / (1280 * 720))) * 1000

        encoder = try CodecContext(encoderNamed: "libx264")
        try encoder.openLiveH264(
            width: width, height: height, timeBase: source.pointee.time_base, rate: rate, gop: gop, bitrate: bitrate
        )
        scaler = try FrameScaler(width: width, height: height)
        decoded = try MediaFrame()
    }

    func drain() throws(FFmpegError) -> [MediaPacket] {
        var out: [MediaPacket] = []
        while true {
            av_frame_unref(decoded.pointer)
            guard avcodec_receive_frame(decoder.pointer, decoded.pointer) >= 0 else { return out }
            let f = decoded.pointer.pointee
            let pts = f.best_effort_timestamp != cffmpeg_AV_NOPTS_VALUE() ? f.best_effort_timestamp : f.pts
            guard pts != cffmpeg_AV_NOPTS_VALUE(), pts > lastPts else { continue }
            lastPts = pts
            let picture = try scaler.scale(decoded)
            picture.pointer.pointee.pts = pts
            picture.pointer.pointee.pict_type = AV_PICTURE_TYPE_NONE
            out += try encode(picture)
        }
    }

}

/// Decodes one input audio stream and re-encodes it as AAC (stereo, or mono from mono), through
/// libswresample and a sample FIFO that cuts the encoder's 1024-sample frames.
final class AudioReencoder: StreamReencoder {
    let sourceIndex: Int
    let outputIndex: Int
    let encoder: CodecContext
    let decoder: CodecContext
    private let decoded: MediaFrame
    private let converted: MediaFrame
    private let chunk: MediaFrame
    private let frameSize: Int32
    private let resampler: AudioResampler
    private let fifo: AudioSampleFIFO
    private var nextPts: Int64?

    private static let aacRates: Set<Int32> = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000]

    init(source: UnsafeMutablePointer<AVStream>, outputIndex: Int) throws(FFmpegError) {
        sourceIndex = Int(source.pointee.index)
        self.outputIndex = outputIndex
        decoder = try CodecContext.openDecoder(for: source)
        let d = decoder.pointer

        encoder = try CodecContext(encoderNamed: "aac")
        let e = encoder.pointer
        let channels: Int32 = d.pointee.ch_layout.nb_channels == 1 ? 1 : 2
        e.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        e.pointee.sample_rate = Self.aacRates.contains(d.pointee.sample_rate) ? d.pointee.sample_rate : 48000
        av_channel_layout_default(&e.pointee.ch_layout, channels)
        e.pointee.bit_rate = channels == 1 ? 64_000 : 128_000
        e.pointee.time_base = AVRational(num: 1, den: e.pointee.sample_rate)
        try encoder.openEncoder()
        frameSize = e.pointee.frame_size > 0 ? e.pointee.frame_size : 1024

        // Each handle has its own owner, so a later step that throws frees what came before.
        resampler = try AudioResampler(
            inputLayout: &d.pointee.ch_layout, inputFormat: d.pointee.sample_fmt, inputRate: d.pointee.sample_rate,
            outputChannels: channels, outputFormat: AV_SAMPLE_FMT_FLTP, outputRate: e.pointee.sample_rate)
        fifo = try AudioSampleFIFO(format: AV_SAMPLE_FMT_FLTP, channels: channels, capacity: frameSize * 4)
        decoded = try MediaFrame()
        converted = try MediaFrame()
        chunk = try MediaFrame(audioFor: e, samples: Int(frameSize))
    }

    func drain() throws(FFmpegError) -> [MediaPacket] {
        var out: [MediaPacket] = []
        let e = encoder.pointer
        while true {
            av_frame_unref(decoded.pointer)
            guard avcodec_receive_frame(decoder.pointer, decoded.pointer) >= 0 else { return out }
            if nextPts == nil {
                let pts = decoded.pointer.pointee.best_effort_timestamp
                nextPts =
                    pts == cffmpeg_AV_NOPTS_VALUE()
                    ? 0 : av_rescale_q(pts, decoder.pointer.pointee.pkt_timebase, e.pointee.time_base)
            }
            av_frame_unref(converted.pointer)
            let c = converted.pointer
            c.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
            c.pointee.sample_rate = e.pointee.sample_rate
            try FFmpegError.check(av_channel_layout_copy(&c.pointee.ch_layout, &e.pointee.ch_layout), "av_channel_layout_copy")
            guard resampler.convertFrame(decoded, into: converted) >= 0 else { continue }  // a frame it cannot take: skipped
            let planes = UnsafeMutableRawPointer(c.pointee.extended_data).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
            try fifo.write(planes, count: c.pointee.nb_samples)
            while fifo.count >= Int(frameSize) {
                try chunk.makeWritable()
                _ = fifo.read(into: chunk, count: frameSize)
                chunk.pointer.pointee.pts = nextPts ?? 0
                nextPts = (nextPts ?? 0) + Int64(frameSize)
                out += try encode(chunk)
            }
        }
    }

}
