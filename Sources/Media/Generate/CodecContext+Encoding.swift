internal import CFFmpeg

/// The encoding side of ``CodecContext`` (the test source's libx264 and AAC encoders).
extension CodecContext {
    /// Sets a private option of the encoder (e.g. x264's `preset`).
    func setPrivateOption(_ key: String, _ value: String) throws(FFmpegError) {
        try FFmpegError.check(av_opt_set(pointer.pointee.priv_data, key, value, 0), "av_opt_set(\(key))")
    }

    /// Opens the encoder with `AV_CODEC_FLAG_GLOBAL_HEADER`, so the codec parameters carry the
    /// extradata (avcC / AudioSpecificConfig) the FLV muxer needs.
    func openEncoder() throws(FFmpegError) {
        pointer.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        try FFmpegError.check(avcodec_open2(pointer, codec, nil), "avcodec_open2(\(String(cString: codec.pointee.name)))")
    }

    /// Sends `frame` (nil: flush) and returns every packet the encoder has ready.
    func encode(_ frame: MediaFrame?) throws(FFmpegError) -> [MediaPacket] {
        let sent = avcodec_send_frame(pointer, frame?.pointer)
        if sent != FFmpegError.endOfFileCode { try FFmpegError.check(sent, "avcodec_send_frame") }
        var packets: [MediaPacket] = []
        while true {
            let packet = try MediaPacket()
            let code = avcodec_receive_packet(pointer, packet.pointer)
            if code == FFmpegError.tryAgainCode || code == FFmpegError.endOfFileCode { return packets }
            try FFmpegError.check(code, "avcodec_receive_packet")
            packets.append(packet)
        }
    }

    /// Sets up a libx264 encoder for live pushing: YUV 4:2:0 at `width`×`height`, a GOP of
    /// `gop` frames, no B-frames, CBR-like (maxrate = bitrate, one second of buffer), veryfast +
    /// zerolatency, no scene-cut keyframes; then opens it.
    func openLiveH264(width: Int, height: Int, timeBase: AVRational, rate: AVRational, gop: Int, bitrate: Int64) throws(FFmpegError) {
        let v = pointer
        v.pointee.width = Int32(width)
        v.pointee.height = Int32(height)
        v.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        v.pointee.time_base = timeBase
        v.pointee.framerate = rate
        v.pointee.gop_size = Int32(gop)
        v.pointee.keyint_min = Int32(gop)
        v.pointee.max_b_frames = 0
        v.pointee.bit_rate = bitrate
        v.pointee.rc_max_rate = bitrate
        v.pointee.rc_buffer_size = Int32(clamping: bitrate)
        try setPrivateOption("preset", "veryfast")
        try setPrivateOption("tune", "zerolatency")
        try setPrivateOption("x264-params", "scenecut=0")
        try openEncoder()
    }

    /// ``encode(_:)`` with every packet's `stream_index` set to `streamIndex`.
    func encode(_ frame: MediaFrame?, streamIndex: Int) throws(FFmpegError) -> [MediaPacket] {
        let packets = try encode(frame)
        for packet in packets { packet.pointer.pointee.stream_index = Int32(streamIndex) }
        return packets
    }

    /// A decoder for an input stream, with its codec parameters and packet time base, opened.
    static func openDecoder(for stream: UnsafeMutablePointer<AVStream>) throws(FFmpegError) -> CodecContext {
        let decoder = try CodecContext(decoder: stream.pointee.codecpar.pointee.codec_id)
        try FFmpegError.check(avcodec_parameters_to_context(decoder.pointer, stream.pointee.codecpar), "avcodec_parameters_to_context")
        decoder.pointer.pointee.pkt_timebase = stream.pointee.time_base
        try decoder.open()
        return decoder
    }
}
