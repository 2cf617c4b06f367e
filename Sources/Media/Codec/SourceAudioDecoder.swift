internal import CFFmpeg

/// Decodes the source's AAC once per class (FLV AAC tags: AudioSpecificConfig header, then raw
/// frames) into planar float PCM for the rungs' encoders.
package final class SourceAudioDecoder {
    package let config: [UInt8]
    private let codec: CodecContext
    private let packet: MediaPacket
    let frame: MediaFrame

    package init(config: [UInt8]) throws(FFmpegError) {
        self.config = config
        codec = try CodecContext(decoder: AV_CODEC_ID_AAC)
        try codec.setExtradata(config)
        codec.pointer.pointee.pkt_timebase = AVRational(num: 1, den: 1000)
        try codec.open()
        packet = try MediaPacket()
        frame = try MediaFrame()
    }

    var sampleRate: Int32 { codec.pointer.pointee.sample_rate }
    var channels: Int32 { codec.pointer.pointee.ch_layout.nb_channels }

    /// Decodes one raw AAC frame stamped `millis`; calls `body` with each decoded frame.
    package func decode(_ bytes: UnsafeRawBufferPointer, millis: Int64, _ body: (MediaFrame) throws(FFmpegError) -> Void) throws(FFmpegError) {
        try packet.load(bytes, pts: millis, dts: millis)
        try FFmpegError.check(avcodec_send_packet(codec.pointer, packet.pointer), "avcodec_send_packet")
        while true {
            av_frame_unref(frame.pointer)
            let code = avcodec_receive_frame(codec.pointer, frame.pointer)
            if code == FFmpegError.tryAgainCode || code == FFmpegError.endOfFileCode { return }
            try FFmpegError.check(code, "avcodec_receive_frame")
            try body(frame)
        }
    }
}
