internal import CFFmpeg
import Foundation
public import NIOCore

/// Opus from a WHIP publisher to AAC for RTMP, SRT, HLS and recording: libavcodec's Opus
/// decoder, then its AAC encoder (LC, 48 kHz stereo, 1024-sample frames), each frame wrapped in
/// an ADTS header so it reads like the AAC of an MPEG-TS publisher. Once per stream; not
/// thread-safe (one instance, one thread).
///
/// Timestamps follow the samples: the first packet's anchors the output; a packet that comes
/// later than the samples say (packets lost on the way) is preceded by silence for the gap, and
/// one more than ``reanchorMillis`` away (a long gap, a restart) re-anchors the output. Output
/// timestamps only ever increase.
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
    /// The millisecond timestamp of sample `anchorSample` of the encoder's clock.
    private var anchorMillis: Int64?
    private var anchorSample: Int64 = 0
    /// Samples given to the encoder so far (its frames' pts).
    private var encodedSamples: Int64 = 0
    private var lastMillis: Int64 = .min

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
        let buffered = encodedSamples + Int64(pending.count / Self.channels)
        let expected = anchorMillis.map { $0 + (buffered - anchorSample) * 1000 / Int64(Self.sampleRate) }
        if let expected, abs(expected - timestampMillis) > Self.reanchorMillis {
            reanchors += 1
            anchorMillis = nil
        }
        if let expected, anchorMillis != nil, timestampMillis - expected >= 10 {
            // Lost packets: silence in their place keeps the sound on time.
            pending += [Float](repeating: 0, count: Int((timestampMillis - expected) * Int64(Self.sampleRate) / 1000) * Self.channels)
        }
        if anchorMillis == nil {
            anchorMillis = timestampMillis
            anchorSample = buffered
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
            frame.pointer.pointee.pts = encodedSamples
            encodedSamples += Int64(frameSamples)
            for packet in try codec.encode(frame) {
                let pts = packet.pts ?? encodedSamples
                let millis = max((anchorMillis ?? 0) + (pts - anchorSample) * 1000 / Int64(Self.sampleRate), lastMillis + 1)
                lastMillis = millis
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
