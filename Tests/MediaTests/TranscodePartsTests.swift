import Foundation
import NIOCore
import RelayCore
import Testing

@testable import Media
@testable import Transcode

/// The transcoder's parts without a relay: Annex B → FLV, and a libx264 rung whose output the
/// h264 decoder reads back, with keyframes exactly where they were asked for.
@Suite("Transcode parts")
struct TranscodePartsTests {
    let sps: [UInt8] = [0x67, 0x64, 0x00, 0x1F, 0xAA]
    let pps: [UInt8] = [0x68, 0xEE, 0x3C, 0x80]
    let slice: [UInt8] = [0x65, 1, 2, 3]

    @Test func annexBBecomesAVCCAndADecoderRecord() {
        let stream: [UInt8] = [0, 0, 0, 1] + sps + [0, 0, 1] + pps + [0, 0, 0, 1] + slice
        let record = stream.withUnsafeBytes { AnnexB.decoderRecord(fromHeaders: $0) }
        // High profile (100): the record ends with chroma format and bit depths read from the SPS
        // (0xAA: sps id 0, chroma_format_idc 1, luma depth 8, chroma depth 9).
        #expect(record == [1, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0, 5] + sps + [1, 0, 4] + pps + [0xFD, 0xF8, 0xF9, 0x00])
        var buffer = ByteBuffer()
        stream.withUnsafeBytes { AnnexB.writeLengthPrefixed($0, into: &buffer) }
        #expect(Array(buffer.readableBytesView) == [0, 0, 0, 5] + sps + [0, 0, 0, 4] + pps + [0, 0, 0, 4] + slice)
        #expect([UInt8]([0, 0, 1] + pps).withUnsafeBytes { AnnexB.decoderRecord(fromHeaders: $0) } == nil, "no SPS")
        #expect([UInt8]([1, 2, 3]).withUnsafeBytes { AnnexB.decoderRecord(fromHeaders: $0) } == nil, "no start code")
    }

    @Test func aRungEncodesKeyframesWhereAskedAndDecodesBack() throws {
        let rung = Rendition(name: "360p", width: 640, height: 360, videoKbps: 450, audioKbps: 48)
        let encoder = try RungEncoder(rendition: rung, fps: 25, settings: TranscodeSettings(preset: "ultrafast"))
        #expect(encoder.sequenceHeader.prefix(2) == [0x17, 0x00])
        let record = Array(encoder.sequenceHeader.dropFirst(5))
        let configuration = try AVCConfiguration.parse(record)
        #expect(configuration.width == 640 && configuration.height == 360)

        let picture = try MediaFrame(yuv420pWidth: 640, height: 360)
        var messages: [MediaMessage] = []
        for i in 0..<12 {
            try picture.makeWritable()
            for plane in 0..<3 {
                let (base, stride) = picture.plane(plane)
                let rows = plane == 0 ? 360 : 180
                for y in 0..<rows { memset(base + y * stride, Int32((i * 9 + y + plane * 60) & 0xFF), stride) }
            }
            try encoder.encode(picture, pts: Int64(i * 40), keyframe: i == 0 || i == 7, allocator: ByteBufferAllocator()) {
                messages.append($0)
            }
        }
        #expect(messages.count == 12, "zerolatency: one packet per picture, at once")
        #expect(messages.map(\.timestamp) == (0..<12).map { UInt32($0 * 40) })
        #expect(messages.enumerated().filter { $0.element.isKeyframe }.map(\.offset) == [0, 7])

        let decoder = try VideoDecoder(record: record)
        var decoded = 0
        for message in messages {
            var payload = message.payload
            payload.moveReaderIndex(forwardBy: 5)
            try payload.withUnsafeReadableBytes { bytes in
                try decoder.send(bytes, pts: Int64(message.timestamp), dts: Int64(message.timestamp), keyframe: message.isKeyframe)
            }
            while try decoder.receive() {
                #expect(decoder.frameWidth == 640 && decoder.frameHeight == 360)
                decoded += 1
            }
        }
        #expect(decoded >= 10)
    }

    @Test func rungsAboveTheSourceAreSkippedAndKeepItsAspect() {
        let settings = TranscodeSettings()
        #expect(settings.rungs(forSourceWidth: 1920, height: 1080).map(\.name) == ["720p", "480p", "360p"])
        #expect(settings.rungs(forSourceWidth: 1280, height: 720).map { "\($0.width)x\($0.height)" } == ["1280x720", "854x480", "640x360"])
        #expect(settings.rungs(forSourceWidth: 640, height: 360).map(\.name) == ["360p"])
        #expect(settings.rungs(forSourceWidth: 640, height: 480).map { "\($0.width)x\($0.height)" } == ["640x480", "480x360"])
        #expect(settings.rungs(forSourceWidth: 320, height: 240).isEmpty)
    }
}
