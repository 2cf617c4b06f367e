import NIOCore
import RelayTestSupport
import Testing

@testable import RelayCore

@Suite("MediaMessage flags")
struct MediaMessageFlagsTests {
    @Test func avcKeyframe() {
        let m = TestMedia.message(.video, [0x17, 0x01, 0, 0, 0])
        #expect(m.isKeyframe)
        #expect(!m.isSequenceHeader)
    }

    @Test func avcSequenceHeaderIsConfigAndKeyframe() {
        let m = TestMedia.message(.video, [0x17, 0x00, 0, 0, 0])
        #expect(m.isSequenceHeader)
        #expect(m.isKeyframe)
    }

    @Test func avcInterFrame() {
        let m = TestMedia.message(.video, [0x27, 0x01, 0, 0, 0])
        #expect(!m.isKeyframe)
        #expect(!m.isSequenceHeader)
    }

    @Test func hevcLegacySequenceHeader() {
        let m = TestMedia.message(.video, [0x1C, 0x00, 0, 0, 0])
        #expect(m.isSequenceHeader)
    }

    @Test func nonAVCCodecHasNoSequenceHeader() {
        // Sorenson H.263 keyframe (codec 2): a keyframe, never a sequence header.
        let m = TestMedia.message(.video, [0x12, 0x00])
        #expect(m.isKeyframe)
        #expect(!m.isSequenceHeader)
    }

    @Test func aacSequenceHeader() {
        let m = TestMedia.message(.audio, [0xAF, 0x00, 0x12, 0x10])
        #expect(m.isSequenceHeader)
        #expect(!m.isKeyframe)
    }

    @Test func aacRaw() {
        let m = TestMedia.message(.audio, [0xAF, 0x01, 0x21])
        #expect(!m.isSequenceHeader)
        #expect(!m.isKeyframe)
    }

    @Test func mp3IsNeverASequenceHeader() {
        let m = TestMedia.message(.audio, [0x2F, 0x00])
        #expect(!m.isSequenceHeader)
    }

    @Test(arguments: [
        // (first byte, keyframe, sequence header)
        (UInt8(0x90), true, true),  // keyframe, SequenceStart
        (UInt8(0x91), true, false),  // keyframe, CodedFrames
        (UInt8(0x93), true, false),  // keyframe, CodedFramesX
        (UInt8(0xA1), false, false),  // inter frame, CodedFrames
        (UInt8(0xA3), false, false),  // inter frame, CodedFramesX
        (UInt8(0xA0), false, true),  // SequenceStart flagged as inter frame
        (UInt8(0x92), true, false),  // SequenceEnd
    ])
    func enhancedRTMP(first: UInt8, keyframe: Bool, sequenceHeader: Bool) {
        let m = TestMedia.message(.video, [first] + Array("hvc1".utf8) + [0, 0, 0])
        #expect(m.isKeyframe == keyframe)
        #expect(m.isSequenceHeader == sequenceHeader)
    }

    @Test func metadataHasNoFlags() {
        let m = TestMedia.metadata()
        #expect(!m.isKeyframe)
        #expect(!m.isSequenceHeader)
    }

    @Test func emptyAndOneBytePayloads() {
        let empty = MediaMessage(kind: .video, timestamp: 0, payload: ByteBuffer())
        #expect(!empty.isKeyframe && !empty.isSequenceHeader)
        #expect(empty.size == 0)
        let one = TestMedia.message(.video, [0x17])
        #expect(one.isKeyframe)
        #expect(!one.isSequenceHeader)
        let audioOne = TestMedia.message(.audio, [0xAF])
        #expect(!audioOne.isSequenceHeader)
    }

    @Test func flagsReadFromReaderIndexNotStorageStart() {
        var buffer = ByteBuffer(bytes: [0x27, 0x01, 0x17, 0x00, 0x00])
        buffer.moveReaderIndex(forwardBy: 2)
        let m = MediaMessage(kind: .video, timestamp: 0, payload: buffer)
        #expect(m.isSequenceHeader)
        #expect(m.size == 3)
    }

    @Test func wireSizeFallsBackToPayload() {
        var m = TestMedia.keyframe(size: 40)
        #expect(m.size == 40)
        #expect(m.wireSize == 40)
        m.wire = ByteBuffer(repeating: 0, count: 52)
        #expect(m.wireSize == 52)
        #expect(m.size == 40)
    }
}
