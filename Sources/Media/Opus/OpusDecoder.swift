internal import CFFmpeg
public import NIOCore

/// Decodes Opus packets (e.g. from a WHIP publisher's RTP) to 48 kHz interleaved float PCM,
/// with libavcodec's Opus decoder. Not thread-safe: one instance per stream, one thread.
///
/// A packet the decoder rejects yields no samples and is counted in ``rejectedPackets``.
public final class OpusDecoder {
    public static let sampleRate = 48_000
    /// Channels in the PCM handed out (1 or 2): stereo packets are averaged for mono, mono
    /// packets copied to both channels for stereo.
    public let channels: Int
    public private(set) var rejectedPackets = 0

    private let codec: CodecContext
    private let packet: MediaPacket
    private let frame: MediaFrame
    private var nextPts: Int64 = 0

    /// - Throws: ``FFmpegError`` when `channels` is not 1 or 2 or the decoder cannot open.
    public init(channels: Int = 2) throws(FFmpegError) {
        guard channels == 1 || channels == 2 else {
            throw FFmpegError(code: cffmpeg_AVERROR(EINVAL), operation: "Opus decoder with \(channels) channels")
        }
        self.channels = channels
        codec = try CodecContext(decoder: AV_CODEC_ID_OPUS)
        codec.pointer.pointee.sample_rate = Int32(Self.sampleRate)
        av_channel_layout_default(&codec.pointer.pointee.ch_layout, Int32(channels))
        codec.pointer.pointee.pkt_timebase = AVRational(num: 1, den: Int32(Self.sampleRate))
        try codec.open()
        packet = try MediaPacket()
        frame = try MediaFrame()
    }

    /// The samples of one Opus packet, interleaved in ``channels`` channels (960 per channel
    /// for a 20 ms packet); empty when the packet is rejected.
    public func decode(_ data: ByteBuffer) -> [Float] {
        var pcm: [Float] = []
        do {
            guard data.readableBytes > 0 else { throw FFmpegError.invalidData("empty Opus packet") }
            try data.withUnsafeReadableBytes { bytes in
                try packet.load(bytes, pts: nextPts, dts: nextPts)
            }
            try FFmpegError.check(avcodec_send_packet(codec.pointer, packet.pointer), "avcodec_send_packet")
            while true {
                av_frame_unref(frame.pointer)
                let code = avcodec_receive_frame(codec.pointer, frame.pointer)
                if code == FFmpegError.tryAgainCode || code == FFmpegError.endOfFileCode { break }
                try FFmpegError.check(code, "avcodec_receive_frame")
                appendInterleaved(to: &pcm)
            }
        } catch {
            rejectedPackets += 1
            return []
        }
        nextPts += Int64(pcm.count / channels)
        return pcm
    }

    /// Appends the decoded frame (planar or interleaved float) in ``channels`` channels.
    private func appendInterleaved(to pcm: inout [Float]) {
        let f = frame.pointer.pointee
        let count = Int(f.nb_samples)
        let sourceChannels = Int(f.ch_layout.nb_channels)
        let planar = f.format == AV_SAMPLE_FMT_FLTP.rawValue
        guard count > 0, sourceChannels > 0, planar || f.format == AV_SAMPLE_FMT_FLT.rawValue, let data = f.extended_data else {
            return
        }
        func sample(_ channel: Int, _ index: Int) -> Float {
            guard let base = planar ? data[channel] : data[0] else { return 0 }
            let floats = UnsafeRawPointer(base).assumingMemoryBound(to: Float.self)
            return planar ? floats[index] : floats[index * sourceChannels + channel]
        }
        pcm.reserveCapacity(pcm.count + count * channels)
        for index in 0..<count {
            if channels == 1 {
                var sum: Float = 0
                for channel in 0..<sourceChannels { sum += sample(channel, index) }
                pcm.append(sum / Float(sourceChannels))
            } else {
                for channel in 0..<channels { pcm.append(sample(min(channel, sourceChannels - 1), index)) }
            }
        }
    }
}
