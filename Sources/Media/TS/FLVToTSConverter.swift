public import RelayCore

/// Turns the relay's FLV-tag ``MediaMessage``s back into MPEG-TS elementary packets:
/// AVCC → Annex B with SPS/PPS in front of every keyframe, raw AAC → ADTS.
public struct FLVToTSConverter {
    /// The stream parameters the muxer needs, from the latest sequence headers.
    public struct Configuration: Sendable, Equatable {
        public var video: AVCConfiguration?
        public var audio: AACConfiguration?
        public init(video: AVCConfiguration? = nil, audio: AACConfiguration? = nil) {
            self.video = video
            self.audio = audio
        }
    }

    public private(set) var configuration = Configuration()
    private var parameterSets: [UInt8] = []
    private var audioFrequencyIndex = 4

    public init() {}

    /// Updates the configuration from a sequence header; returns false when it is malformed.
    public mutating func apply(sequenceHeader message: MediaMessage) -> Bool {
        let bytes = Array(message.payload.readableBytesView)
        switch message.kind {
        case .video:
            guard bytes.count > 5, bytes[0] & 0x0F == 7, let config = try? AVCConfiguration.parse(Array(bytes[5...])) else {
                return false
            }
            configuration.video = config
            parameterSets = AnnexB.byteStream((config.sequenceParameterSets + config.pictureParameterSets).map { $0[...] })
        case .audio:
            guard bytes.count > 2, let config = try? AACConfiguration.parse(Array(bytes[2...])) else { return false }
            configuration.audio = config
            audioFrequencyIndex = ADTSHeader.frequencyIndex(of: config.sampleRate) ?? 4
        case .metadata:
            return false
        }
        return true
    }

    /// The elementary packet of a media message; nil for what MPEG-TS does not carry here
    /// (metadata, other codecs, messages before their configuration, malformed payloads).
    public func convert(_ message: MediaMessage) -> ElementaryPacket? {
        let view = message.payload.readableBytesView
        guard !message.isSequenceHeader, let first = view.first else { return nil }
        let dts = Int64(message.timestamp)
        switch message.kind {
        case .video:
            guard first & 0x0F == 7, view.count > 5, let video = configuration.video else { return nil }
            let bytes = Array(view)
            guard bytes[1] == 1 else { return nil }
            let raw = Int32(bytes[2]) << 16 | Int32(bytes[3]) << 8 | Int32(bytes[4])
            let cts = raw & 0x80_0000 != 0 ? raw - 0x100_0000 : raw
            guard let units = AnnexB.units(avcc: bytes[5...], lengthSize: video.nalLengthSize) else { return nil }
            let data =
                (message.isKeyframe ? parameterSets : [])
                + AnnexB.byteStream(
                    units.filter {
                        let type = AnnexB.type(of: $0)
                        return type != AnnexB.NALType.accessUnitDelimiter && type != AnnexB.NALType.sps && type != AnnexB.NALType.pps
                    })
            return ElementaryPacket(codec: .h264, dtsMillis: dts, ptsMillis: dts + Int64(cts), data: data, isKeyframe: message.isKeyframe)
        case .audio:
            guard first >> 4 == 10, view.count > 2, let audio = configuration.audio else { return nil }
            let raw = Array(view.dropFirst(2))
            guard raw.count + 7 < 1 << 13 else { return nil }
            let header = ADTSHeader(
                objectType: audio.objectType, frequencyIndex: audioFrequencyIndex, channelConfiguration: audio.channels,
                payloadLength: raw.count
            )
            return ElementaryPacket(codec: .aac, dtsMillis: dts, ptsMillis: dts, data: header.bytes + raw, isKeyframe: true)
        case .metadata:
            return nil
        }
    }
}

extension ADTSHeader {
    /// The ADTS sampling-frequency index of `rate`; nil when ADTS cannot signal it.
    public static func frequencyIndex(of rate: Int) -> Int? {
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350].firstIndex(of: rate)
    }
}
