internal import CFFmpeg
import Foundation
import NIOCore

/// Opus from a WHIP publisher to AAC for RTMP, SRT, HLS and recording: libavcodec's Opus
/// decoder, then its AAC encoder (LC, 48 kHz stereo, 1024-sample frames), each frame wrapped in
/// an ADTS header so it reads like the AAC of an MPEG-TS publisher. Once per stream; not
/// thread-safe (one instance, one thread).
///
/// Timestamps follow the samples: the first packet's anchors the output, and a packet more than
/// ``reanchorMillis`` away from where the samples say it should be (a gap, a restart) re-anchors
/// it, dropping the samples still buffered.
public final class OpusToAACTranscoder {
    public static let sampleRate = 48_000
    public static let channels = 2
    public static let reanchorMillis: Int64 = 200

    public private(set) var reanchors = 0
    public var rejectedPackets: Int { decoder.rejectedPackets }

    private let decoder: OpusDecoder
    private let codec: CodecContext
    private let frame: MediaFrame
    private let frameSamples: Int
    /// Interleaved stereo samples waiting for a whole AAC frame.
    private var pending: [Float] = []
    /// The millisecond timestamp of sample 0 and the samples encoded since it.
    private var anchorMillis: Int64?
    private var samplesSinceAnchor: Int64 = 0

    public init(bitrate: Int = 96_000) throws(FFmpegError) {
        decoder = try OpusDecoder(channels: Self.channels)
        codec = try CodecContext(encoderNamed: "aac")
        let c = codec.pointer
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        c.pointee.sample_rate = Int32(Self.sampleRate)
        av_channel_layout_default(&c.pointee.ch_layout, Int32(Self.channels))
        c.pointee.bit_rate = Int64(bitrate)
        c.pointee.time_base = AVRational(num: 1, den: Int32(Self.sampleRate))
        try codec.openEncoder()
        frameSamples = c.pointee.frame_size > 0 ? Int(c.pointee.frame_size) : 1024
        frame = try MediaFrame(audioFor: c, samples: frameSamples)
    }

    /// One Opus packet received at `timestampMillis` → the ADTS AAC frames it completed, each with
    /// its millisecond timestamp. A packet the decoder rejects yields nothing.
    public func transcode(opus: ByteBuffer, timestampMillis: Int64) throws(FFmpegError) -> [(adts: [UInt8], timestampMillis: Int64)] {
        let pcm = decoder.decode(opus)
        guard !pcm.isEmpty else { return [] }
        let expected = anchorMillis.map { $0 + (samplesSinceAnchor + Int64(pending.count / Self.channels)) * 1000 / Int64(Self.sampleRate) }
        if let expected, abs(expected - timestampMillis) > Self.reanchorMillis {
            reanchors += 1
            anchorMillis = nil
        }
        if anchorMillis == nil {
            anchorMillis = timestampMillis
            samplesSinceAnchor = 0
            pending.removeAll(keepingCapacity: true)
        }
        pending += pcm
        var out: [(adts: [UInt8], timestampMillis: Int64)] = []
        while pending.count >= frameSamples * Self.channels {
            try frame.makeWritable()
            for channel in 0..<Self.channels {
                frame.plane(channel).base.withMemoryRebound(to: Float.self, capacity: frameSamples) { plane in
                    for index in 0..<frameSamples { plane[index] = pending[index * Self.channels + channel] }
                }
            }
            pending.removeFirst(frameSamples * Self.channels)
            frame.pointer.pointee.pts = samplesSinceAnchor
            samplesSinceAnchor += Int64(frameSamples)
            for packet in try codec.encode(frame) {
                let millis = (anchorMillis ?? 0) + max(0, packet.pts ?? 0) * 1000 / Int64(Self.sampleRate)
                out.append((Self.adts(packet.data), millis))
            }
        }
        return out
    }

    /// A 7-byte ADTS header (MPEG-4 AAC LC, 48 kHz, stereo, no CRC) in front of a raw frame.
    static func adts(_ raw: [UInt8]) -> [UInt8] {
        let length = raw.count + 7
        let profile: UInt8 = 1  // AAC LC (object type 2) − 1
        let frequencyIndex: UInt8 = 3  // 48 000 Hz
        let channels = UInt8(Self.channels)
        return [
            0xFF, 0xF1,
            profile << 6 | frequencyIndex << 2 | (channels >> 2) & 1,
            (channels & 3) << 6 | UInt8((length >> 11) & 0x03),
            UInt8((length >> 3) & 0xFF),
            UInt8((length & 0x07) << 5) | 0x1F,
            0xFC,
        ] + raw
    }
}
