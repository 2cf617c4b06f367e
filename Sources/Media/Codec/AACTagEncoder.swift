internal import CFFmpeg
package import NIOCore
package import RelayCore

/// An AAC encoder at `kbps` (a rung's audio bitrate, e.g. 96/64/48 kbit/s), fed a
/// ``SourceAudioDecoder``'s frames (same rate, layout and 1024-sample frames, so no resampling),
/// producing FLV AAC tags.
package final class AACTagEncoder {
    private let encoder: CodecContext
    private let sampleRate: Int32
    /// The FLV AAC sequence header (AudioSpecificConfig from the encoder's global header).
    package let sequenceHeader: [UInt8]

    package init(kbps: Int, like source: SourceAudioDecoder) throws(FFmpegError) {
        encoder = try CodecContext(encoderNamed: "aac")
        let e = encoder.pointer
        e.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        e.pointee.sample_rate = source.sampleRate
        av_channel_layout_default(&e.pointee.ch_layout, source.channels)
        e.pointee.bit_rate = Int64(kbps) * 1000
        e.pointee.time_base = AVRational(num: 1, den: source.sampleRate)
        try encoder.openEncoder()
        sampleRate = source.sampleRate
        let extradata = e.pointee.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(e.pointee.extradata_size))) } ?? []
        sequenceHeader = [0xAF, 0] + extradata
    }

    /// Whether decoded frames of this shape can go to the encoder as they are.
    package static func accepts(_ source: SourceAudioDecoder, frame: MediaFrame) -> Bool {
        let f = frame.pointer.pointee
        return f.format == AV_SAMPLE_FMT_FLTP.rawValue && f.nb_samples == 1024 && f.sample_rate == source.sampleRate
            && (1...2).contains(source.channels)
    }

    /// Encodes one decoded frame stamped `millis`; each AAC packet becomes an FLV tag.
    package func encode(_ frame: MediaFrame, millis: Int64, allocator: ByteBufferAllocator, publish: (MediaMessage) -> Void) throws(FFmpegError) {
        frame.pointer.pointee.pts = av_rescale_q(millis, AVRational(num: 1, den: 1000), AVRational(num: 1, den: sampleRate))
        for packet in try encoder.encode(frame) {
            let pts = packet.pts ?? 0
            let ms = av_rescale_q(pts, AVRational(num: 1, den: sampleRate), AVRational(num: 1, den: 1000))
            var payload = MediaMessage.allocatePayload(capacity: packet.size + 2, allocator: allocator)
            payload.writeBytes([0xAF, 1])
            _ = packet.withUnsafeBytes { payload.writeBytes($0) }
            publish(MediaMessage(kind: .audio, timestamp: UInt32(clamping: max(0, ms)), payload: payload))
        }
    }
}
