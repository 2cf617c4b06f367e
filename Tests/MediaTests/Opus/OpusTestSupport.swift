import NIOCore

@testable import Media

/// AAC frames as the tone encoder makes them.
typealias AACFrames = [(bytes: [UInt8], timestampMs: UInt32)]

extension AACToOpusTranscoder {
    /// Transcodes every frame (times shifted by `shiftMs`), without flushing.
    func transcodeAll(_ frames: AACFrames, shiftMs: UInt32 = 0) throws -> [OpusPacket] {
        try frames.flatMap { frame in
            try transcode(aacFrame: ByteBuffer(bytes: frame.bytes), timestampMs: frame.timestampMs &+ shiftMs)
        }
    }
}

/// Measurements on interleaved PCM.
enum PCMAnalysis {
    /// One channel of interleaved `pcm`.
    static func channel(_ index: Int, of pcm: [Float], channels: Int) -> [Float] {
        stride(from: index, to: pcm.count, by: channels).map { pcm[$0] }
    }

    static func rms(_ samples: some Collection<Float>) -> Double {
        guard !samples.isEmpty else { return 0 }
        return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
    }

    /// Upward crossings of ±`threshold` per second: a tone's frequency, robust to codec noise.
    static func frequency(_ samples: [Float], sampleRate: Int, threshold: Float = 0.05) -> Double {
        var cycles = 0
        var low = false
        for sample in samples {
            if sample < -threshold { low = true }
            if low, sample > threshold {
                cycles += 1
                low = false
            }
        }
        return Double(cycles) * Double(sampleRate) / Double(max(samples.count, 1))
    }

    /// Decodes `packets` and returns their PCM (stereo, interleaved).
    static func decode(_ packets: [OpusPacket]) throws -> [Float] {
        let decoder = try OpusDecoder(channels: 2)
        return packets.flatMap { decoder.decode($0.data) }
    }
}
