internal import CFFmpeg
package import RelayCore

/// Decodes the published H.264 (AVCC access units, extradata = the AVCDecoderConfigurationRecord
/// of the FLV sequence header). Owns its codec context, packet and output frame.
package final class VideoDecoder {
    /// The record the decoder was opened with.
    package let record: [UInt8]
    private let codec: CodecContext
    private let packet: MediaPacket
    /// The latest decoded picture (valid until the next ``receive()``).
    package let frame: MediaFrame

    package init(record: [UInt8]) throws(FFmpegError) {
        self.record = record
        codec = try CodecContext(decoder: AV_CODEC_ID_H264)
        try codec.setExtradata(record)
        codec.pointer.pointee.thread_count = 1
        try codec.open()
        packet = try MediaPacket()
        frame = try MediaFrame()
    }

    /// Sends one access unit (its NAL units, length-prefixed) with times in milliseconds.
    func send(_ bytes: UnsafeRawBufferPointer, pts: Int64, dts: Int64, keyframe: Bool) throws(FFmpegError) {
        try packet.load(bytes, pts: pts, dts: dts, keyframe: keyframe)
        try FFmpegError.check(avcodec_send_packet(codec.pointer, packet.pointer), "avcodec_send_packet")
    }

    /// Sends the NAL units of an FLV H.264 tag of `message` (its time is the decoding time, in
    /// milliseconds; the tag's composition offset makes the presentation time).
    package func send(_ tag: AVCVideoTag, of message: MediaMessage) throws(FFmpegError) {
        let dts = Int64(message.timestamp)
        try tag.body.withUnsafeReadableBytes { bytes throws(FFmpegError) in
            try send(bytes, pts: dts + Int64(tag.compositionOffset), dts: dts, keyframe: message.isKeyframe)
        }
    }

    /// Takes the next decoded picture into ``frame``; false when none is ready yet.
    package func receive() throws(FFmpegError) -> Bool {
        av_frame_unref(frame.pointer)
        let code = avcodec_receive_frame(codec.pointer, frame.pointer)
        if code == FFmpegError.tryAgainCode || code == FFmpegError.endOfFileCode { return false }
        try FFmpegError.check(code, "avcodec_receive_frame")
        return true
    }

    /// Drops pictures held for reordering (a new publisher starts).
    package func flush() {
        avcodec_flush_buffers(codec.pointer)
    }

    /// The decoded picture's presentation time in milliseconds.
    package var framePts: Int64? {
        let f = frame.pointer.pointee
        let noPTS = cffmpeg_AV_NOPTS_VALUE()
        if f.best_effort_timestamp != noPTS { return f.best_effort_timestamp }
        return f.pts != noPTS ? f.pts : nil
    }

    /// Whether the decoded picture is a keyframe of the source.
    package var frameIsKey: Bool {
        frame.pointer.pointee.key_frame != 0 || frame.pointer.pointee.pict_type == AV_PICTURE_TYPE_I
    }

    package var frameWidth: Int { Int(frame.pointer.pointee.width) }
    package var frameHeight: Int { Int(frame.pointer.pointee.height) }
}
