import Testing

@testable import Media

@Suite("AACConfiguration")
struct AACConfigurationTests {
    @Test(
        "known AudioSpecificConfigs",
        arguments: [
            ([0x12, 0x10], 2, 44100, 2),
            ([0x11, 0x90], 2, 48000, 2),
            ([0x12, 0x08], 2, 44100, 1),
            ([0x13, 0x88], 2, 22050, 1),
            ([0x2B, 0x08], 5, 24000, 1),
        ] as [([UInt8], Int, Int, Int)])
    func parsesKnownBytes(bytes: [UInt8], objectType: Int, sampleRate: Int, channels: Int) throws {
        let config = try AACConfiguration.parse(bytes)
        #expect(config.objectType == objectType)
        #expect(config.sampleRate == sampleRate)
        #expect(config.channels == channels)
    }

    @Test("explicit 24-bit sample rate (index 0xF)")
    func explicitRate() throws {
        // objectType 2 | index 15 | rate 32000 (0x007D00) | channels 2, padded.
        let bits: UInt64 = (2 << 59) | (15 << 55) | (32000 << 31) | (2 << 27)
        let bytes = (0..<6).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64($0))) }
        let config = try AACConfiguration.parse(bytes)
        #expect(config.sampleRate == 32000)
        #expect(config.channels == 2)
    }

    @Test(
        "short or reserved input throws",
        arguments: [
            [], [0x12], [0x16, 0x80], [0x17, 0x90], [0x00, 0x10], [0x12, 0x78], [0x17, 0x80, 0x00],
        ] as [[UInt8]])
    func rejectsMalformed(bytes: [UInt8]) {
        #expect(throws: FFmpegError.self) { try AACConfiguration.parse(bytes) }
    }
}
