import RelayCore
import Testing

/// Which rungs a source feeds (its size, and 80 % of its measured video bitrate), and how that
/// bitrate is measured over a publisher's first seconds.
@Suite("LadderFit")
struct LadderFitTests {
    let ladder = Rendition.defaultLadder  // 720p 1800, 480p 900, 360p 450 kbit/s of video

    func names(_ width: Int, _ height: Int, _ kbps: Int) -> [String] {
        LadderFit.rungs(of: ladder, width: width, height: height, videoKbps: kbps).map(\.name)
    }

    @Test func aRungNeedsTheSourcesHeightAndFiveFourthsOfItsBitrate() {
        #expect(names(1280, 720, 250).isEmpty, "a 250 kbit/s 720p lesson feeds no rung")
        #expect(names(1280, 720, 232).isEmpty)
        #expect(names(1280, 720, 1_000) == ["360p"], "1 Mbit/s: 360p only (480p needs 1125)")
        #expect(names(1280, 720, 562) == [])
        #expect(names(1280, 720, 563) == ["360p"], "450 ≤ 0.8 × 563")
        #expect(names(1280, 720, 1_125) == ["480p", "360p"])
        #expect(names(1280, 720, 2_249) == ["480p", "360p"])
        #expect(names(1280, 720, 2_250) == ["720p", "480p", "360p"], "1800 = 0.8 × 2250")
        #expect(names(1280, 720, 2_500) == ["720p", "480p", "360p"])
        #expect(names(640, 360, 8_000) == ["360p"], "never taller than the source, however many bits")
        #expect(names(320, 240, 8_000).isEmpty)
    }

    @Test func rungsKeepTheSourcesAspectRatio() {
        let rungs = LadderFit.rungs(of: ladder, width: 640, height: 480, videoKbps: 3_000)
        #expect(rungs.map { "\($0.width)x\($0.height)" } == ["640x480", "480x360"])
    }

    @Test func theMeterDecidesAtTheFirstKeyframeTwoSecondsIn() {
        var meter = SourceBitrateMeter()
        // 25 fps, a keyframe every second: 10 000-byte keyframes, 2 000-byte pictures.
        #expect(meter.add(size: 500, timestamp: 0, keyframe: false) == nil, "before the first keyframe: not counted")
        var reports: [(at: UInt32, kbps: Int)] = []
        for frame in 0..<200 {
            let timestamp = UInt32(1_000 + frame * 40)
            let key = frame % 25 == 0
            if let kbps = meter.add(size: key ? 10_000 : 2_000, timestamp: timestamp, keyframe: key) { reports.append((timestamp, kbps)) }
        }
        // 2 × (10 000 + 24 × 2 000) bytes in 2 000 ms = 464 kbit/s, at the third keyframe; the
        // same rate in the windows after it is not reported again.
        #expect(reports.map(\.at) == [3_000])
        #expect(reports.map(\.kbps) == [464])
        #expect(meter.kbps == 464)
    }

    @Test func longGOPsAreMeasuredOverThreeSeconds() {
        var meter = SourceBitrateMeter()
        var decidedAt: UInt32?
        for frame in 0..<100 {
            let timestamp = UInt32(frame * 40)
            if meter.add(size: frame == 0 ? 20_000 : 5_000, timestamp: timestamp, keyframe: frame == 0) != nil {
                decidedAt = timestamp
            }
        }
        #expect(decidedAt == 3_000)
        #expect(meter.kbps == Int((Double(20_000 + 74 * 5_000) * 8 / 3_000).rounded()))
    }

    @Test func aGOPEndingPastTwoSecondsEndsTheWindow() {
        var meter = SourceBitrateMeter()
        var decidedAt: UInt32?
        for frame in 0..<100 {  // a keyframe every 60 pictures (2.4 s)
            let timestamp = UInt32(frame * 40)
            if meter.add(size: 1_000, timestamp: timestamp, keyframe: frame % 60 == 0) != nil { decidedAt = timestamp }
        }
        #expect(decidedAt == 2_400)
        #expect(meter.kbps == 200)  // 60 × 1000 bytes in 2.4 s
    }

    @Test func aRampingPublisherIsReportedAsItRisesAndNotAsItDips() {
        var meter = SourceBitrateMeter()
        var reports: [Int] = []
        // 2-second windows at 300, 600, 400, 1000 kbit/s (1 500, 3 000, 2 000, 5 000 bytes a picture).
        for (window, size) in [1_500, 3_000, 2_000, 5_000].enumerated() {
            for frame in 0..<50 {
                let timestamp = UInt32(window * 2_000 + frame * 40)
                if let kbps = meter.add(size: size, timestamp: timestamp, keyframe: frame == 0) { reports.append(kbps) }
            }
        }
        _ = meter.add(size: 1_000, timestamp: 8_000, keyframe: true).map { reports.append($0) }
        #expect(reports == [300, 600, 1_000])
        #expect(meter.kbps == 1_000)
    }

    @Test func aNewPublisherIsMeasuredAgain() {
        var meter = SourceBitrateMeter()
        for frame in 0...75 { _ = meter.add(size: 5_000, timestamp: UInt32(frame * 40), keyframe: frame % 25 == 0) }
        #expect(meter.kbps == 1_000)
        meter.reset()
        #expect(meter.kbps == nil)
        var again: Int?
        for frame in 0...75 {
            again = meter.add(size: 1_000, timestamp: UInt32(10_000 + frame * 40), keyframe: frame % 25 == 0) ?? again
        }
        #expect(again == 200, "a lower rate after a reset is the new publisher's")
    }
}
