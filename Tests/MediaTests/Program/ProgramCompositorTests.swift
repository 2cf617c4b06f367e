import Testing

@testable import Media
@testable import Transcode

/// The program's picture without a relay: solid colours in (teacher blue, sites red or green),
/// colours read back where each layout puts them, one program picture per teacher picture with
/// its time, across stage changes.
@Suite("Program compositor")
struct ProgramCompositorTests {
    typealias M = ProgramTestMedia
    init() { FFmpegLog.setLevel(.quiet) }

    /// Composes `count` teacher pictures from `start` (33 ms apart); returns their times.
    func run(
        _ compositor: ProgramCompositor, teacher colour: M.YUV = M.blue, count: Int, start: Int = 0,
        check: (Int, MediaFrame) -> Void = { _, _ in }
    ) throws -> [Int64] {
        var times: [Int64] = []
        for i in start..<(start + count) {
            let teacher = try M.solid(colour, width: 1280, height: 720, pts: Int64(i) * 33)
            let program = try compositor.compose(teacher: teacher)
            #expect(program.pointer.pointee.width == 1280 && program.pointer.pointee.height == 720)
            times.append(program.pointer.pointee.pts)
            check(i, program)
        }
        return times
    }

    @Test func pipInsetsASiteBottomRightAtAQuarterOfTheWidth() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a"], layout: .pip)
        try compositor.update(site: "a", picture: M.solid(M.red, width: 640, height: 360))
        // 1280/4 = 320 wide, 180 high, 20 px (1280/64) from the right and bottom edges.
        let times = try run(compositor, count: 5) { _, program in
            #expect(M.close(M.pixel(program, x: 1100, y: 610), M.red), "the inset's centre")
            #expect(M.close(M.pixel(program, x: 942, y: 522), M.red), "its top left corner")
            #expect(M.close(M.pixel(program, x: 1277, y: 610), M.blue), "right of it: the margin")
            #expect(M.close(M.pixel(program, x: 930, y: 610), M.blue), "left of it")
            #expect(M.close(M.pixel(program, x: 1100, y: 510), M.blue), "above it")
            #expect(M.close(M.pixel(program, x: 1100, y: 710), M.blue), "below it")
            #expect(M.close(M.pixel(program, x: 640, y: 360), M.blue), "the teacher's centre")
        }
        #expect(times == (0..<5).map { Int64($0) * 33 })
    }

    @Test func pipStacksSitesUpwardsAndASiteThatStopsKeepsItsLastPicture() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a", "b"], layout: .pip)
        try compositor.update(site: "a", picture: M.solid(M.red, width: 640, height: 360))
        try compositor.update(site: "b", picture: M.solid(M.green, width: 640, height: 360))
        // a at y 520–700, b above it at 320–500; neither sends again for 30 pictures.
        _ = try run(compositor, count: 30) { _, program in
            #expect(M.close(M.pixel(program, x: 1100, y: 610), M.red))
            #expect(M.close(M.pixel(program, x: 1100, y: 410), M.green))
            #expect(M.close(M.pixel(program, x: 1100, y: 510), M.blue), "the margin between them")
            #expect(M.close(M.pixel(program, x: 1100, y: 300), M.blue), "above the stack")
        }
        #expect(compositor.graphBuilds == 1, "the same graph throughout")
        try compositor.update(site: "a", picture: M.solid(M.green, width: 640, height: 360))
        _ = try run(compositor, count: 1, start: 30) { _, program in
            #expect(M.close(M.pixel(program, x: 1100, y: 610), M.green), "a's newer picture at the next teacher picture")
        }
    }

    @Test func aSiteWithoutAPictureYetLeavesTheTeacherAndItsPlace() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a", "b"], layout: .pip)
        try compositor.update(site: "b", picture: M.solid(M.green, width: 640, height: 360))
        try compositor.update(site: "c", picture: M.solid(M.red, width: 640, height: 360))  // not on stage
        _ = try run(compositor, count: 2) { _, program in
            #expect(M.close(M.pixel(program, x: 1100, y: 610), M.blue), "a's place: no picture yet")
            #expect(M.close(M.pixel(program, x: 1100, y: 410), M.green), "b keeps its place")
        }
    }

    @Test func sideBySideLetterboxesTeacherAndSite() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a"], layout: .sideBySide)
        try compositor.update(site: "a", picture: M.solid(M.red, width: 640, height: 360))
        // Two 640×720 halves; each 16:9 picture 640×360 at y 180.
        _ = try run(compositor, count: 3) { _, program in
            #expect(M.close(M.pixel(program, x: 320, y: 360), M.blue), "the teacher, left")
            #expect(M.close(M.pixel(program, x: 960, y: 360), M.red), "the site, right")
            #expect(M.close(M.pixel(program, x: 320, y: 190), M.blue))
            #expect(M.close(M.pixel(program, x: 960, y: 530), M.red))
            for (x, y) in [(320, 100), (320, 620), (960, 100), (960, 700)] {
                #expect(M.close(M.pixel(program, x: x, y: y), M.black), "letterbox at \(x),\(y)")
            }
        }
    }

    @Test func sideBySideOfThreeSitesIsAGrid() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a", "b", "c", "d"], layout: .sideBySide)
        #expect(compositor.sites == ["a", "b", "c"], "at most three sites")
        for (site, colour) in [("a", M.red), ("b", M.green), ("c", M.red)] {
            try compositor.update(site: site, picture: M.solid(colour, width: 640, height: 360))
        }
        _ = try run(compositor, count: 1) { _, program in
            #expect(M.close(M.pixel(program, x: 320, y: 180), M.blue))
            #expect(M.close(M.pixel(program, x: 960, y: 180), M.red))
            #expect(M.close(M.pixel(program, x: 320, y: 540), M.green))
            #expect(M.close(M.pixel(program, x: 960, y: 540), M.red))
        }
    }

    @Test func aLayoutChangeShowsAtTheNextPictureWithNoGapInTime() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a"], layout: .pip)
        try compositor.update(site: "a", picture: M.solid(M.red, width: 640, height: 360))
        var times = try run(compositor, count: 30)
        compositor.setStage(["a"], layout: .sideBySide)
        times += try run(compositor, count: 30, start: 30) { i, program in
            #expect(compositor.changedAtLastPicture == (i == 30), "a new graph at picture \(i)")
            #expect(M.close(M.pixel(program, x: 960, y: 360), M.red), "side by side from the first picture after")
        }
        compositor.setStage([], layout: .sideBySide)
        times += try run(compositor, count: 10, start: 60) { _, program in
            #expect(M.close(M.pixel(program, x: 960, y: 360), M.blue), "an empty stage: the teacher alone")
            #expect(M.close(M.pixel(program, x: 320, y: 100), M.blue))
        }
        #expect(times == (0..<70).map { Int64($0) * 33 }, "one picture per teacher picture, each with its time")
        #expect(compositor.graphBuilds == 3)
    }

    @Test func aSitesNewSizeAndTheTeachersNewPictureAreFollowed() throws {
        let compositor = try ProgramCompositor(frameRate: (30, 1))
        compositor.setStage(["a"], layout: .pip)
        try compositor.update(site: "a", picture: M.solid(M.red, width: 640, height: 360))
        _ = try run(compositor, count: 2)
        // A 4:3 site: 320×240 inset (1280/4 wide, its own aspect), bottom at 700.
        try compositor.update(site: "a", picture: M.solid(M.green, width: 320, height: 240))
        _ = try run(compositor, teacher: M.red, count: 2, start: 2) { _, program in
            #expect(M.close(M.pixel(program, x: 1100, y: 470), M.green), "the 4:3 inset's top part")
            #expect(M.close(M.pixel(program, x: 640, y: 360), M.red), "the teacher's new picture")
        }
        #expect(compositor.graphBuilds == 2)
    }
}
