import NIOCore
import Testing

@testable import Media

/// The Opus decoder (for WHIP ingest) and the precomputed silence packet.
@Suite("Opus decoder and silence")
struct OpusDecoderTests {
    init() { FFmpegLog.setLevel(.quiet) }

    @Test func silenceIsASmallPacketThatDecodesToTwentyMillisecondsOfZeros() throws {
        let silence = try OpusSilence()
        #expect((1...16).contains(silence.payload.readableBytes), "\(silence.payload.readableBytes) bytes")
        let decoder = try OpusDecoder()
        for _ in 0..<3 {
            let pcm = decoder.decode(silence.payload)
            #expect(pcm.count == 960 * 2)
            #expect(pcm.allSatisfy { abs($0) < 1e-4 })
        }
        let packet = silence.packet(timestamp48k: 96_000)
        #expect(packet.durationSamples == 960 && packet.timestamp48k == 96_000 && packet.data == silence.payload)
        #expect(OpusPacket(data: ByteBuffer(), timestamp48k: (1 << 32) + 5).rtpTimestamp == 5)
    }

    @Test func monoOutputAveragesAndRejectedPacketsAreCounted() throws {
        let source = try AACToneEncoder()
        let transcoder = try AACToOpusTranscoder(audioSpecificConfig: source.audioSpecificConfig)
        let packets = try transcoder.transcodeAll(source.encode(seconds: 1, frequency: 440)) + transcoder.flush()
        let mono = try OpusDecoder(channels: 1)
        let pcm = packets.flatMap { mono.decode($0.data) }
        #expect(pcm.count == packets.count * 960)
        #expect(abs(PCMAnalysis.frequency(Array(pcm[12_000..<36_000]), sampleRate: 48_000) - 440) < 5)
        #expect(mono.decode(ByteBuffer()).isEmpty)
        #expect(mono.rejectedPackets == 1)
        #expect(!mono.decode(packets[10].data).isEmpty, "still decodes after a rejected packet")
        #expect(throws: FFmpegError.self) { try OpusDecoder(channels: 3) }
    }
}
