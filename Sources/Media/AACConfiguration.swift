/// Parameters of an AAC stream, read from its AudioSpecificConfig (ISO/IEC 14496-3).
///
/// RTMP/FLV publishers send this as the AAC sequence header (tag body after its 2-byte
/// FLV prefix); MP4 stores it in `esds`. Pure bit parsing, no FFmpeg call needed.
public struct AACConfiguration: Sendable, Equatable {
    /// Audio object type (2 = AAC LC, 5 = SBR, 29 = PS, ...).
    public let objectType: Int
    /// Samples per second.
    public let sampleRate: Int
    /// Channel count; 0 when the layout is given in-band by a program config element.
    public let channels: Int

    private static let operation = "AudioSpecificConfig"
    private static let sampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
    private static let channelCounts = [0, 1, 2, 3, 4, 5, 6, 8]

    /// Parses the leading fields of an AudioSpecificConfig.
    ///
    /// Reads objectType (5 bits, 31 escapes to 32 + 6 bits), samplingFrequencyIndex
    /// (4 bits, 0xF escapes to a 24-bit explicit rate) and channelConfiguration (4 bits).
    /// - Throws: ``FFmpegError`` with `AVERROR_INVALIDDATA` when input is short or a
    ///   field holds a reserved value.
    public static func parse(_ config: [UInt8]) throws(FFmpegError) -> AACConfiguration {
        // Every field needed fits in the first 6 bytes (at most 43 bits).
        let word = config.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (56 - 8 * $1.offset) }
        let available = min(config.count, 8) * 8
        var offset = 0
        func read(_ count: Int) throws(FFmpegError) -> Int {
            guard offset + count <= available else { throw .invalidData(operation) }
            defer { offset += count }
            return Int((word << UInt64(offset)) >> UInt64(64 - count))
        }

        var objectType = try read(5)
        if objectType == 31 { objectType = 32 + (try read(6)) }
        let frequencyIndex = try read(4)
        let sampleRate: Int
        if frequencyIndex == 0xF {
            sampleRate = try read(24)
        } else if frequencyIndex < sampleRates.count {
            sampleRate = sampleRates[frequencyIndex]
        } else {
            throw .invalidData(operation)
        }
        let channelConfiguration = try read(4)
        guard objectType > 0, sampleRate > 0, channelConfiguration < channelCounts.count else {
            throw .invalidData(operation)
        }
        return AACConfiguration(objectType: objectType, sampleRate: sampleRate, channels: channelCounts[channelConfiguration])
    }
}
