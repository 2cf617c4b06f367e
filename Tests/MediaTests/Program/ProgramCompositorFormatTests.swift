import CFFmpeg
import Testing

@testable import Media
@testable import Transcode

/// Pictures as decoders hand them over: full-range 4:2:0 (browsers' WHIP) and 4:2:2.
@Suite("Program compositor, other pixel formats")
struct ProgramCompositorFormatTests {
    typealias M = ProgramTestMedia
    init() { FFmpegLog.setLevel(.quiet) }

    @Test func aFullRangeTeacherAndA422SiteComposeInto420() throws {
        let compositor = try ProgramCompositor(frameRate: (25, 1))
        compositor.setStage(["a"], layout: .pip)
        let site = try M.solid422(width: 640, height: 360, y: 200)
        try compositor.update(site: "a", picture: site)
        let teacher = try M.solid(M.black, width: 1280, height: 720, pts: 40)
        teacher.pointer.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
        let program = try compositor.compose(teacher: teacher)
        #expect(program.pointer.pointee.format == AV_PIX_FMT_YUV420P.rawValue)
        #expect(program.pointer.pointee.pts == 40)
        let inset = M.pixel(program, x: 1100, y: 610)
        #expect(abs(Int(inset.y) - 200) <= 6 && abs(Int(inset.u) - 128) <= 6, "the site's grey: \(inset)")
        let around = M.pixel(program, x: 640, y: 360)
        #expect(abs(Int(around.y) - 30) <= 6, "full-range 16 is limited-range 30: \(around)")
    }
}
