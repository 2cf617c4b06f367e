import NIOCore
import RelayTestSupport
import Testing

@testable import Media

/// What a live stream throws at the transcoder: damaged frames, publisher restarts and time
/// jumps, a new sequence header.
@Suite("AAC to Opus transcoder, live stream events")
struct AACToOpusTranscoderStreamTests {
    init() { FFmpegLog.setLevel(.quiet) }

    @Test func garbageFramesAreSkippedAndTheToneSurvives() throws {
        let source = try AACToneEncoder()
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: source.audioSpecificConfig)
        var generator = SeededGenerator(seed: 7)
        var packets: [OpusPacket] = []
        for (index, frame) in try source.encode(seconds: 2, frequency: 440).enumerated() {
            packets += try transcoder.transcode(aacFrame: ByteBuffer(bytes: frame.bytes), timestampMs: frame.timestampMs)
            if index % 10 == 5 {
                let junk = generator.bytes(Int.random(in: 0...400, using: &generator))
                packets += try transcoder.transcode(aacFrame: ByteBuffer(bytes: junk), timestampMs: frame.timestampMs)
            }
        }
        packets += transcoder.flush()
        #expect(transcoder.skippedFrames >= 3, "\(transcoder.skippedFrames) of 9 junk frames rejected")
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.timestamp48k == $0.timestamp48k + 960 })
        let left = PCMAnalysis.channel(0, of: try PCMAnalysis.decode(packets), channels: 2)
        #expect(left.count > 90_000)
        #expect(PCMAnalysis.rms(left[24_000..<72_000]) > 0.05)
    }

    @Test func emptyAndTinyFramesAreSkipped() throws {
        let source = try AACToneEncoder()
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: source.audioSpecificConfig)
        for junk in [[], [0], [0xFF, 0xF1]] as [[UInt8]] {
            #expect(try transcoder.transcode(aacFrame: ByteBuffer(bytes: junk), timestampMs: 0).isEmpty)
        }
        #expect(transcoder.skippedFrames == 3)
        #expect(try !transcoder.transcodeAll(source.encode(seconds: 0.5, frequency: 440)).isEmpty, "still decodes")
    }

    @Test func aForwardJumpKeepsTheGapAndARestartContinues() throws {
        let source = try AACToneEncoder()
        let second = try source.encode(seconds: 1, frequency: 440)
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: source.audioSpecificConfig)
        let start = try transcoder.transcodeAll(second, shiftMs: 1_000)
        #expect(start.first?.timestamp48k == 48_000)
        let jumped = try transcoder.transcodeAll(second, shiftMs: 100_000)  // 99 s forward
        #expect(transcoder.reanchorCount == 1)
        // The source's gap stays: the new audio starts at 100 s, after the < 20 ms still queued.
        let resumed = try #require(jumped.first).timestamp48k
        #expect((100_000 * 48 - 960)...(100_000 * 48) ~= resumed, "\(resumed)")
        #expect(resumed > (try #require(start.last).timestamp48k))
        let restarted = try transcoder.transcodeAll(second)  // publisher restart from 0
        #expect(transcoder.reanchorCount == 2)
        #expect(transcoder.offset48k > 0)
        let all = jumped + restarted + transcoder.flush()
        #expect(zip(all, all.dropFirst()).allSatisfy { $1.timestamp48k == $0.timestamp48k + 960 }, "no step back")
    }

    @Test func aNewSequenceHeaderSwapsTheDecoderAndTheOpusStreamContinues() throws {
        let stereo = try AACToneEncoder(sampleRate: 44_100, channels: 2)
        let mono = try AACToneEncoder(sampleRate: 48_000, channels: 1)
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: stereo.audioSpecificConfig)
        var packets = try transcoder.transcodeAll(stereo.encode(seconds: 1, frequency: 440))
        try transcoder.reconfigure(audioSpecificConfig: stereo.audioSpecificConfig)  // the same again: no change
        try transcoder.reconfigure(audioSpecificConfig: mono.audioSpecificConfig)
        #expect(transcoder.audioSpecificConfig == mono.audioSpecificConfig)
        #expect(throws: FFmpegError.self) { try transcoder.reconfigure(audioSpecificConfig: [0xFF]) }
        #expect(transcoder.audioSpecificConfig == mono.audioSpecificConfig, "a bad header keeps the decoder")
        packets += try transcoder.transcodeAll(mono.encode(seconds: 1, frequency: 880), shiftMs: 1_000)
        packets += transcoder.flush()
        #expect(transcoder.skippedFrames == 0 && transcoder.reanchorCount == 0)
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.timestamp48k == $0.timestamp48k + 960 })
        let left = PCMAnalysis.channel(0, of: try PCMAnalysis.decode(packets), channels: 2)
        #expect(abs(PCMAnalysis.frequency(Array(left[12_000..<36_000]), sampleRate: 48_000) - 440) < 10)
        #expect(abs(PCMAnalysis.frequency(Array(left[60_000..<84_000]), sampleRate: 48_000) - 880) < 10)
    }
}
