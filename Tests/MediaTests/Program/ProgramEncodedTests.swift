import NIOCore
import RelayCore
import Testing

@testable import Media
@testable import Transcode

/// The program as a relay would make it, without sockets: the teacher's 720p (blue) and a site's
/// 360p (red) encoded with libx264 as FLV messages, decoded (``ProgramFeedDecoder``), composed,
/// encoded again at the teacher's size and decoded back; the site's colour in the inset from
/// the first program picture after it goes on stage, which is a keyframe, and the teacher's
/// times throughout.
@Suite("Program, encoded and decoded back")
struct ProgramEncodedTests {
    typealias M = ProgramTestMedia
    init() { FFmpegLog.setLevel(.quiet) }

    let fast = TranscodeSettings(preset: "ultrafast")

    /// `count` pictures of `colour`, encoded at `width`×`height`, 33 ms apart, keyframes every 30.
    func feed(_ colour: M.YUV, width: Int, height: Int, count: Int) throws -> [MediaMessage] {
        let rung = Rendition(name: "feed", width: width, height: height, videoKbps: 1_000, audioKbps: 64)
        let encoder = try RungEncoder(rendition: rung, fps: 30, settings: fast)
        var messages = [MediaMessage(kind: .video, timestamp: 0, payload: ByteBuffer(bytes: encoder.sequenceHeader))]
        for i in 0..<count {
            let picture = try M.solid(colour, width: width, height: height)
            try encoder.encode(picture, pts: Int64(i * 33), keyframe: i % 30 == 0, allocator: ByteBufferAllocator()) { messages.append($0) }
        }
        return messages
    }

    @Test func aSiteOnStageIsInTheEncodedProgramFromAKeyframe() throws {
        let teacherFeed = try feed(M.blue, width: 1280, height: 720, count: 40)
        let siteFeed = try feed(M.red, width: 640, height: 360, count: 40)
        let teacher = ProgramFeedDecoder()
        let site = ProgramFeedDecoder()
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        let program = try RungEncoder(
            rendition: Rendition(name: "program", width: 1280, height: 720, videoKbps: 1_800, audioKbps: 96), fps: 30, settings: fast)
        var programMessages: [MediaMessage] = []
        var composed = 0
        for (index, (teacherMessage, siteMessage)) in zip(teacherFeed, siteFeed).enumerated() {
            if index == 21 { compositor.setStage(["a"], layout: .pip) }  // after teacher picture 19
            try site.decode(siteMessage) { picture throws(FFmpegError) in try compositor.update(site: "a", picture: picture) }
            try teacher.decode(teacherMessage) { picture throws(FFmpegError) in
                let frame = try compositor.compose(teacher: picture)
                try program.encode(
                    frame, pts: frame.pointer.pointee.pts, keyframe: composed == 0 || compositor.changedAtLastPicture,
                    allocator: ByteBufferAllocator()
                ) { programMessages.append($0) }
                composed += 1
            }
        }
        #expect(composed == 40 && teacher.decodeErrors == 0 && site.decodeErrors == 0)
        #expect(programMessages.map(\.timestamp) == (0..<40).map { UInt32($0 * 33) }, "the teacher's times")
        #expect(programMessages.enumerated().filter { $0.element.isKeyframe }.map(\.offset) == [0, 20], "a keyframe where the stage changed")

        let check = try VideoDecoder(record: Array(program.sequenceHeader.dropFirst(5)))
        var decoded = 0
        for message in programMessages {
            var payload = message.payload
            payload.moveReaderIndex(forwardBy: 5)
            try payload.withUnsafeReadableBytes { bytes in
                try check.send(bytes, pts: Int64(message.timestamp), dts: Int64(message.timestamp), keyframe: message.isKeyframe)
            }
            while try check.receive() {
                let onStage = decoded >= 20
                #expect(M.close(M.pixel(check.frame, x: 1100, y: 610), onStage ? M.red : M.blue, tolerance: 12), "picture \(decoded)")
                #expect(M.close(M.pixel(check.frame, x: 640, y: 360), M.blue, tolerance: 12))
                #expect(M.close(M.pixel(check.frame, x: 1100, y: 480), M.blue, tolerance: 12), "above the inset")
                decoded += 1
            }
        }
        #expect(decoded == 40)
    }
}
