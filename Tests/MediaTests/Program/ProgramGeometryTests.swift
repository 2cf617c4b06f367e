import Testing

@testable import Transcode

/// Where the program puts each picture, as numbers (no FFmpeg).
@Suite("Program geometry")
struct ProgramGeometryTests {
    let hd = (width: 1280, height: 720)

    @Test func pipInsetsAreAQuarterWideBottomRightStackedUpwards() {
        let plan = ProgramGeometry(layout: .pip, canvas: hd, sites: [(640, 360), (640, 480), nil])
        #expect(plan.teacher == ProgramRect(x: 0, y: 0, width: 1280, height: 720))
        #expect(
            plan.sites == [
                ProgramRect(x: 940, y: 520, width: 320, height: 180),
                ProgramRect(x: 940, y: 260, width: 320, height: 240),  // 4:3
                ProgramRect(x: 940, y: 60, width: 320, height: 180),  // no picture yet: the canvas's aspect
            ])
    }

    @Test func portraitSitesShrinkToFitTheStack() {
        let plan = ProgramGeometry(layout: .pip, canvas: hd, sites: [(360, 640), (360, 640), (360, 640)])
        #expect(plan.sites.allSatisfy { $0.y >= 20 && $0.y + $0.height <= 700 && $0.x + $0.width <= 1260 })
        #expect(plan.sites.allSatisfy { $0.width % 2 == 0 && $0.height % 2 == 0 && $0.x % 2 == 0 && $0.y % 2 == 0 })
        #expect(zip(plan.sites, plan.sites.dropFirst()).allSatisfy { $1.y + $1.height < $0.y }, "no overlap")
    }

    @Test func sideBySideLetterboxesInHalvesThenAGrid() {
        let two = ProgramGeometry(layout: .sideBySide, canvas: hd, sites: [(640, 360)])
        #expect(two.teacher == ProgramRect(x: 0, y: 180, width: 640, height: 360))
        #expect(two.sites == [ProgramRect(x: 640, y: 180, width: 640, height: 360)])
        let four = ProgramGeometry(layout: .sideBySide, canvas: hd, sites: [(640, 360), (480, 360), (360, 640)])
        #expect(four.teacher == ProgramRect(x: 0, y: 0, width: 640, height: 360))
        #expect(
            four.sites == [
                ProgramRect(x: 640, y: 0, width: 640, height: 360),
                ProgramRect(x: 80, y: 360, width: 480, height: 360),  // 4:3 pillarboxed
                ProgramRect(x: 858, y: 360, width: 202, height: 360),  // portrait
            ])
    }

    @Test func theFilterDescriptionDrawsThePlan() {
        let plan = ProgramGeometry(layout: .pip, canvas: hd, sites: [(640, 360), nil])
        #expect(
            ProgramFilterDescription.make(plan, layout: .pip, sitesWithPicture: [true, false])
                == "[in0]format=yuv420p[v0];[in1]scale=320:180:flags=bilinear,format=yuv420p[s1];[v0][s1]overlay=x=940:y=520:eof_action=repeat:format=yuv420[v1];[v1]format=yuv420p[out]"
        )
        let alone = ProgramGeometry(layout: .sideBySide, canvas: hd, sites: [])
        #expect(
            ProgramFilterDescription.make(alone, layout: .sideBySide, sitesWithPicture: [])
                == "[in0]scale=1280:720:flags=bilinear,format=yuv420p,pad=1280:720:0:0:color=black[v0];[v0]format=yuv420p[out]")
    }
}
