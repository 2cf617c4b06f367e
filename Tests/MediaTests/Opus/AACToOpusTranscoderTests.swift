import NIOCore
import Testing

@testable import Media

/// A tone encoded to AAC comes out of the transcoder as 20 ms Opus packets that decode back to
/// the same tone, whatever the AAC's rate and channel count.
@Suite("AAC to Opus transcoder")
struct AACToOpusTranscoderTests {
    init() { FFmpegLog.setLevel(.quiet) }

    @Test(arguments: [(44_100, 2), (44_100, 1), (48_000, 2), (48_000, 1)])
    func aToneComesOutAsOpusOfTheSameTone(sampleRate: Int, channels: Int) throws {
        let source = try AACToneEncoder(sampleRate: sampleRate, channels: channels)
        let frames = try source.encode(seconds: 2, frequency: 440)
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: source.audioSpecificConfig)
        let packets = try transcoder.transcodeAll(frames) + transcoder.flush()

        #expect((98...108).contains(packets.count), "2 s (plus codec delays) in 20 ms packets: \(packets.count)")
        #expect(transcoder.skippedFrames == 0)
        #expect(packets.first?.timestamp48k == UInt64(frames[0].timestampMs) * 48)
        #expect(packets.allSatisfy { $0.durationSamples == 960 && $0.data.readableBytes > 0 })
        #expect(zip(packets, packets.dropFirst()).allSatisfy { $1.timestamp48k == $0.timestamp48k + 960 })

        let pcm = try PCMAnalysis.decode(packets)
        #expect(pcm.count == packets.count * 960 * 2)
        // Skip the codecs' start-up; measure one second in the middle, on both channels.
        for channel in 0..<2 {
            let middle = Array(PCMAnalysis.channel(channel, of: pcm, channels: 2)[24_000..<72_000])
            #expect(PCMAnalysis.rms(middle) > 0.1, "a 0.25 amplitude tone has RMS 0.18")
            #expect(abs(PCMAnalysis.frequency(middle, sampleRate: 48_000) - 440) < 5)
        }
    }

    @Test func aByteBufferConfigurationWorksLikeAnArray() throws {
        let source = try AACToneEncoder()
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: ByteBuffer(bytes: source.audioSpecificConfig), bitrate: 32_000)
        #expect(transcoder.audioSpecificConfig == source.audioSpecificConfig)
        #expect(try !transcoder.transcodeAll(source.encode(seconds: 0.2, frequency: 440)).isEmpty)
    }

    @Test(arguments: [[], [0x00, 0x00], [0xFF], [0x12, 0xF0]] as [[UInt8]])
    func anInvalidConfigurationThrowsAReadableError(config: [UInt8]) {
        do {
            _ = try AACToOpusTranscoder(audioSpecificConfig: config)
            Issue.record("\(config) accepted")
        } catch {
            #expect(error.code < 0)
            #expect(error.description.contains("AudioSpecificConfig failed: "), "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test(arguments: [0, 5_000, 600_000])
    func anOutOfRangeBitrateThrows(bitrate: Int) throws {
        let config = try AACToneEncoder().audioSpecificConfig
        #expect(throws: FFmpegError.self) { try AACToOpusTranscoder(audioSpecificConfig: config, bitrate: bitrate) }
    }

    @Test func afterFlushNothingMoreComesOut() throws {
        let source = try AACToneEncoder()
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: source.audioSpecificConfig)
        _ = try transcoder.transcodeAll(source.encode(seconds: 0.5, frequency: 440, finish: false))
        #expect(!transcoder.flush().isEmpty)
        #expect(transcoder.flush().isEmpty)
        #expect(try transcoder.transcodeAll(source.encode(seconds: 0.5, frequency: 440)).isEmpty)
    }
}
