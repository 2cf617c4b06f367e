/// AAC audio data transport stream framing (ISO/IEC 13818-7 ADTS), as MPEG-TS carries AAC,
/// and its relation to the AudioSpecificConfig that FLV/RTMP carries instead.
public struct ADTSHeader: Sendable, Equatable {
    /// MPEG-4 audio object type (profile + 1): 2 for AAC LC.
    public let objectType: Int
    public let frequencyIndex: Int
    public let channelConfiguration: Int
    /// 7, or 9 with a CRC.
    public let headerLength: Int
    /// Header plus raw AAC data.
    public let frameLength: Int

    /// Reads the header at the start of `bytes`; nil when there is no valid header.
    public init?(_ bytes: ArraySlice<UInt8>) {
        guard bytes.count >= 7 else { return nil }
        let b = Array(bytes.prefix(7))
        guard b[0] == 0xFF, b[1] & 0xF6 == 0xF0 else { return nil }  // sync word, layer 0
        let protectionAbsent = b[1] & 0x01 == 1
        objectType = Int(b[2] >> 6) + 1
        frequencyIndex = Int(b[2] >> 2 & 0x0F)
        channelConfiguration = Int(b[2] & 0x01) << 2 | Int(b[3] >> 6)
        frameLength = Int(b[3] & 0x03) << 11 | Int(b[4]) << 3 | Int(b[5] >> 5)
        headerLength = protectionAbsent ? 7 : 9
        guard frequencyIndex < 13, frameLength >= headerLength else { return nil }
    }

    public init(objectType: Int, frequencyIndex: Int, channelConfiguration: Int, payloadLength: Int) {
        self.objectType = objectType
        self.frequencyIndex = frequencyIndex
        self.channelConfiguration = channelConfiguration
        self.headerLength = 7
        self.frameLength = payloadLength + 7
    }

    /// Samples per second of `frequencyIndex`.
    public var sampleRate: Int {
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350][frequencyIndex]
    }

    /// The 2-byte AudioSpecificConfig this header describes.
    public var audioSpecificConfig: [UInt8] {
        [UInt8(objectType << 3 | frequencyIndex >> 1), UInt8((frequencyIndex & 1) << 7 | channelConfiguration << 3)]
    }

    /// The 7-byte header (no CRC).
    public var bytes: [UInt8] {
        let profile = max(objectType - 1, 0) & 0x03
        let length = frameLength
        return [
            0xFF, 0xF1,
            UInt8(profile << 6 | frequencyIndex << 2 | channelConfiguration >> 2),
            UInt8((channelConfiguration & 0x03) << 6 | length >> 11),
            UInt8(length >> 3 & 0xFF),
            UInt8((length & 0x07) << 5 | 0x1F),
            0xFC,
        ]
    }

    /// The raw AAC frames of an ADTS buffer with their headers; stops at the first bad header.
    public static func frames(_ bytes: [UInt8]) -> [(header: ADTSHeader, payload: ArraySlice<UInt8>)] {
        var frames: [(ADTSHeader, ArraySlice<UInt8>)] = []
        var i = 0
        while i < bytes.count, let header = ADTSHeader(bytes[i...]), i + header.frameLength <= bytes.count {
            frames.append((header, bytes[(i + header.headerLength)..<(i + header.frameLength)]))
            i += header.frameLength
        }
        return frames
    }
}
