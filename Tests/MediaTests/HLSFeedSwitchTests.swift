import NIOCore
import RelayCore
import Testing

@testable import HLS

/// The source variant's move between the source and the program: at the new feed's first
/// keyframe not older than the last picture muxed, its newest headers first.
@Suite("HLS feed switch")
struct HLSFeedSwitchTests {
    static func video(_ bytes: [UInt8], at timestamp: UInt32) -> StreamItem {
        .media(MediaMessage(kind: .video, timestamp: timestamp, payload: ByteBuffer(bytes: bytes)))
    }
    static func audio(_ bytes: [UInt8], at timestamp: UInt32) -> StreamItem {
        .media(MediaMessage(kind: .audio, timestamp: timestamp, payload: ByteBuffer(bytes: bytes)))
    }
    static let videoHeader: [UInt8] = [0x17, 0, 0, 0, 0, 1, 2]
    static let keyframe: [UInt8] = [0x17, 1, 0, 0, 0, 9]
    static let interframe: [UInt8] = [0x27, 1, 0, 0, 0, 9]
    static let audioHeader: [UInt8] = [0xAF, 0, 0x12, 0x10]

    @Test("an older keyframe is passed over; the switch starts with the headers, then the keyframe and what follows")
    func switchesAtAKeyframeNotOlderThanTheLastPicture() {
        var feedSwitch = HLSFeedSwitch()
        let before =
            [Self.video(Self.videoHeader, at: 0), Self.audio(Self.audioHeader, at: 0)]
            + [Self.video(Self.keyframe, at: 900), Self.video(Self.interframe, at: 940)]
        #expect(feedSwitch.scan(before, afterVideoAt: 1000) == nil)
        // The headers seen before are kept for the keyframe in a later batch.
        let start = feedSwitch.scan(
            [Self.video(Self.interframe, at: 980), Self.video(Self.keyframe, at: 1000), Self.audio([0xAF, 1, 5], at: 1010)], afterVideoAt: 1000)
        #expect(start?.map(\.timestamp) == [0, 0, 1000, 1010])
        #expect(start?.first?.isSequenceHeader == true && start?.first?.kind == .video)
        #expect(start?[1].isSequenceHeader == true && start?[1].kind == .audio)
        #expect(start?[2].isKeyframe == true)
    }

    @Test("no switch before the new feed's video header")
    func waitsForTheVideoHeader() {
        var feedSwitch = HLSFeedSwitch()
        #expect(feedSwitch.scan([Self.video(Self.keyframe, at: 2000)], afterVideoAt: 1000) == nil)
        #expect(feedSwitch.scan([Self.video(Self.videoHeader, at: 0), Self.video(Self.keyframe, at: 2040)], afterVideoAt: 1000)?.count == 2)
    }

    @Test("a feed subscribed all along switches with its stream's current headers")
    func startsWithTheStreamsHeaders() {
        let header = MediaMessage(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: Self.videoHeader))
        var feedSwitch = HLSFeedSwitch(videoHeader: header)
        let start = feedSwitch.scan([Self.video(Self.keyframe, at: 2000)], afterVideoAt: 1000)
        #expect(start?.map(\.isSequenceHeader) == [true, false])
    }
}
