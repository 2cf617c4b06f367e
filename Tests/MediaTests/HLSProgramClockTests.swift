import Foundation
import NIOCore
import Testing

@testable import HLS
@testable import Media

/// EXT-X-PROGRAM-DATE-TIME: one stream's variants date a timestamp alike, a restart re-anchors.
@Suite("HLS program dates")
struct HLSProgramClockTests {
    @Test("the same timestamp has the same date whichever variant asks, and later")
    func variantsShareTheAnchor() {
        let clock = HLSProgramClock()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let first = clock.date(ofMillis: 4000, observed: 6000, now: now)
        #expect(first == Date(timeIntervalSince1970: 1_800_000_000 - 2))
        // Another variant cuts the same boundary 300 ms later (its encoder is slower).
        let second = clock.date(ofMillis: 4000, observed: 6000, now: now.addingTimeInterval(0.3))
        #expect(second == first)
        #expect(clock.date(ofMillis: 6000, observed: 8000, now: now.addingTimeInterval(2)) == first.addingTimeInterval(2))
    }

    @Test("timestamps far from the wall clock (a new publisher starting at 0) set a new anchor")
    func aJumpReanchors() {
        let clock = HLSProgramClock()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = clock.date(ofMillis: 500_000, observed: 500_000, now: now)
        let restarted = clock.date(ofMillis: 0, observed: 2000, now: now.addingTimeInterval(5))
        #expect(restarted == now.addingTimeInterval(3))
    }

    @Test("RFC 3339 in UTC with milliseconds")
    func format() {
        #expect(HLSProgramClock.format(Date(timeIntervalSince1970: 1_796_351_400.123)) == "2026-12-04T02:30:00.123Z")
        #expect(HLSProgramClock.format(Date(timeIntervalSince1970: 0.5)) == "1970-01-01T00:00:00.500Z")
    }

    @Test("each listed segment carries its date before its parts and EXTINF")
    func windowListsDates() {
        var window = HLSSegmentWindow(listed: 3, extraKept: 0, targetDuration: 2, partTarget: 0.6)
        window.startMap(ByteBuffer(bytes: [0xA0]))
        window.appendPart(durationSeconds: 1, independent: true, bytes: ByteBuffer(bytes: [0]))
        window.appendPart(durationSeconds: 1, independent: false, bytes: ByteBuffer(bytes: [1]))
        window.closeSegment(startMillis: 0, programDateTime: "2026-12-04T02:30:00.000Z")
        let playlist = window.mediaPlaylist(query: "")
        #expect(
            playlist.contains(
                "#EXT-X-MAP:URI=\"init-0.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-04T02:30:00.000Z\n#EXT-X-PART:DURATION=1.000,URI=\"0.0.m4s\",INDEPENDENT=YES\n"
            ))
    }
}
