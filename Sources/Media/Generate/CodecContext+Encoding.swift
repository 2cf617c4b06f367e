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
}
