internal import CFFmpeg
import Foundation

/// Encodes a sine tone to raw AAC frames plus their AudioSpecificConfig, as an FLV publisher
/// sends them (native AAC encoder, 1024-sample frames): a deterministic AAC source for tests
/// and diagnostics of the audio paths.
final class AACToneEncoder {
    let sampleRate: Int
    let channels: Int
    /// The encoder's AudioSpecificConfig (the FLV AAC sequence header body).
    let audioSpecificConfig: [UInt8]

    private let codec: CodecContext
    private let frame: MediaFrame
    private var samples = 0
    private var phase = 0.0

    init(sampleRate: Int = 44_100, channels: Int = 2, bitrate: Int = 96_000) throws(FFmpegError) {
        self.sampleRate = sampleRate
        self.channels = channels
        codec = try CodecContext(encoderNamed: "aac")
        let c = codec.pointer
        c.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
        c.pointee.sample_rate = Int32(sampleRate)
        av_channel_layout_default(&c.pointee.ch_layout, Int32(channels))
        c.pointee.bit_rate = Int64(bitrate)
        c.pointee.time_base = AVRational(num: 1, den: Int32(sampleRate))
        try codec.openEncoder()
        audioSpecificConfig = c.pointee.extradata.map { Array(UnsafeBufferPointer(start: $0, count: Int(c.pointee.extradata_size))) } ?? []
        frame = try MediaFrame(audioFor: c, samples: c.pointee.frame_size > 0 ? Int(c.pointee.frame_size) : 1024)
    }

    /// `seconds` more of a `frequency` Hz tone at `amplitude` (full scale 1), then (when
    /// `finish`) the encoder's last frames: raw AAC frames with millisecond timestamps.
    func encode(seconds: Double, frequency: Double, amplitude: Double = 0.25, finish: Bool = true) throws(FFmpegError) -> [(
        bytes: [UInt8], timestampMs: UInt32
    )] {
        let end = samples + Int(seconds * Double(sampleRate))
        let step = 2 * Double.pi * frequency / Double(sampleRate)
        var packets: [MediaPacket] = []
        while samples < end {
            try frame.makeWritable()
            let count = Int(frame.pointer.pointee.nb_samples)
            for channel in 0..<channels {
                frame.plane(channel).base.withMemoryRebound(to: Float.self, capacity: count) { out in
                    for index in 0..<count { out[index] = Float(amplitude * sin(phase + step * Double(index))) }
                }
            }
            phase = (phase + step * Double(count)).truncatingRemainder(dividingBy: 2 * Double.pi)
            frame.pointer.pointee.pts = Int64(samples)
            samples += count
            packets += try codec.encode(frame)
        }
        if finish { packets += try codec.encode(nil) }
        return packets.map { packet in
            let ms = max(0, (packet.pts ?? 0) * 1000 / Int64(sampleRate))
            return (packet.data, UInt32(clamping: ms))
        }
    }
}
