internal import CFFmpeg
package import NIOCore
package import RelayCore

/// libx264 for low latency (no B-frames, capped bitrate, keyframes only when asked) writing its
/// packets as FLV video tag bodies. Owns its codec context and packet.
package final class H264TagEncoder {
    /// What the encoder is opened with.
    package struct Options {
        package var width: Int
        package var height: Int
        /// Frames per second (the time base is milliseconds).
        package var frameRate: Int32
        /// x264's own keyframe interval, in frames (set it above the caller's: keyframes are asked for).
        package var keyframeInterval: Int32
        package var videoKbps: Int
        /// x264 threads (0: x264 decides).
        package var threads: Int
        package var preset: String
        /// x264 tune; empty for none.
        package var tune: String

        package init(
            width: Int, height: Int, frameRate: Int32, keyframeInterval: Int32, videoKbps: Int, threads: Int, preset: String, tune: String
        ) {
            self.width = width
            self.height = height
            self.frameRate = frameRate
            self.keyframeInterval = keyframeInterval
            self.videoKbps = videoKbps
            self.threads = threads
            self.preset = preset
            self.tune = tune
        }
    }

    private let codec: CodecContext
    private let packet: MediaPacket
    /// The AVC sequence header (FLV tag body) built from the encoder's global header.
    package let sequenceHeader: [UInt8]
    private var lastPts: Int64 = .min

    package init(_ options: Options) throws(FFmpegError) {
        codec = try CodecContext(encoderNamed: "libx264")
        let c = codec.pointer
        c.pointee.width = Int32(options.width)
        c.pointee.height = Int32(options.height)
        c.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        c.pointee.time_base = AVRational(num: 1, den: 1000)
        c.pointee.framerate = AVRational(num: options.frameRate, den: 1)
        c.pointee.gop_size = options.keyframeInterval
        c.pointee.keyint_min = options.keyframeInterval
        c.pointee.max_b_frames = 0
        let bitrate = Int64(options.videoKbps) * 1000
        c.pointee.bit_rate = bitrate
        c.pointee.rc_max_rate = bitrate
        c.pointee.rc_buffer_size = Int32(clamping: bitrate)
        if options.threads > 0 { c.pointee.thread_count = Int32(options.threads) }
        try codec.setPrivateOption("preset", options.preset)
        if !options.tune.isEmpty { try codec.setPrivateOption("tune", options.tune) }
        try codec.setPrivateOption("forced-idr", "1")
        try codec.setPrivateOption("x264-params", "scenecut=0")
        try codec.openEncoder()
        packet = try MediaPacket()
        let extradata = UnsafeRawBufferPointer(start: c.pointee.extradata, count: Int(c.pointee.extradata_size))
        guard let record = AnnexB.decoderRecord(fromHeaders: extradata) else {
            throw FFmpegError.invalidData("libx264 global header")
        }
        sequenceHeader = [0x17, 0x00, 0, 0, 0] + record
    }

    /// Encodes `frame` at `pts` (ms), a keyframe when `keyframe`; hands every packet out as an
    /// FLV video message.
    package func encode(
        _ frame: MediaFrame, pts: Int64, keyframe: Bool, allocator: ByteBufferAllocator, emit: (MediaMessage) -> Void
    ) throws(FFmpegError) {
        let stamped = max(pts, lastPts &+ 1)
        lastPts = stamped
        frame.pointer.pointee.pts = stamped
        frame.pointer.pointee.pict_type = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE
        try FFmpegError.check(avcodec_send_frame(codec.pointer, frame.pointer), "avcodec_send_frame")
        while true {
            let code = avcodec_receive_packet(codec.pointer, packet.pointer)
            if code == FFmpegError.tryAgainCode || code == FFmpegError.endOfFileCode { return }
            try FFmpegError.check(code, "avcodec_receive_packet")
            emit(message(allocator: allocator))
            av_packet_unref(packet.pointer)
        }
    }

    /// The packet in ``packet`` as an FLV video tag body: frame type and codec, NALU packet
    /// type, composition time, then the NAL units length-prefixed.
    private func message(allocator: ByteBufferAllocator) -> MediaMessage {
        let p = packet.pointer.pointee
        let dts = p.dts == cffmpeg_AV_NOPTS_VALUE() ? p.pts : p.dts
        let cts = Int32(clamping: p.pts - dts)
        let key = p.flags & cffmpeg_AV_PKT_FLAG_KEY() != 0
        var buffer = MediaMessage.allocatePayload(capacity: Int(p.size) + 64, allocator: allocator)
        buffer.writeInteger(UInt8(key ? 0x17 : 0x27))
        buffer.writeInteger(UInt8(1))
        buffer.writeInteger(UInt8(truncatingIfNeeded: cts >> 16))
        buffer.writeInteger(UInt8(truncatingIfNeeded: cts >> 8))
        buffer.writeInteger(UInt8(truncatingIfNeeded: cts))
        AnnexB.writeLengthPrefixed(UnsafeRawBufferPointer(start: p.data, count: Int(p.size)), into: &buffer)
        return MediaMessage(kind: .video, timestamp: UInt32(clamping: max(0, dts)), payload: buffer)
    }
}
