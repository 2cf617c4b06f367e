import Media
import RelayCore
import Testing

/// A publisher's first audio PES starts a frame or so before its first picture (the stream's
/// origin): its frames before the origin are left out, not clamped onto it, so the frames of the
/// next PES never overlap them (a player starting in the stream's first GOP got two audio frames
/// at one time: "non monotonically increasing dts" in ffmpeg).
@Suite("TS audio before the origin")
struct TSAudioOriginTests {
    static let sps: [UInt8] = [0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9]
    static let pps: [UInt8] = [0x68, 0xEB, 0xE3, 0xCB]
    static let idr: [UInt8] = [0x65, 0x88, 0x84, 0x00]

    /// `count` ADTS frames of 44.1 kHz AAC in one PES.
    static func aac(frames count: Int, at millis: Int64) -> ElementaryPacket {
        let header = ADTSHeader(objectType: 2, frequencyIndex: 4, channelConfiguration: 2, payloadLength: 4)
        let bytes: [UInt8] = (0..<count).flatMap { _ -> [UInt8] in header.bytes + [1, 2, 3, 4] }
        return ElementaryPacket(codec: .aac, dtsMillis: millis, ptsMillis: millis, data: bytes, isKeyframe: true)
    }

    @Test func audioFramesBeforeTheFirstPictureAreLeftOutNotClamped() {
        var converter = TSToFLVConverter(expectsVideo: true, expectsAudio: true)
        let keyframe = [0, 0, 0, 1] + Self.sps + [0, 0, 0, 1] + Self.pps + [0, 0, 0, 1] + Self.idr
        var messages = converter.convert(ElementaryPacket(codec: .h264, dtsMillis: 10_000, ptsMillis: 10_000, data: keyframe, isKeyframe: true))
        // The first PES starts 22 ms before the picture: its first frame is before the origin.
        messages += converter.convert(Self.aac(frames: 3, at: 9_978))
        messages += converter.convert(Self.aac(frames: 3, at: 9_978 + 69))
        let audio = messages.filter { $0.kind == .audio && !$0.isSequenceHeader }.map(\.timestamp)
        #expect(audio == [1, 24, 47, 70, 93], "strictly increasing, none clamped to 0: \(audio)")
        #expect(messages.contains { $0.kind == .audio && $0.isSequenceHeader })
    }
}
