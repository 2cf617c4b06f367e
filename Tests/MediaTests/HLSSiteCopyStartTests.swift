import NIOCore
import RelayCore
import Testing

@testable import HLS

/// A site's copy of an HLS variant (its mix-minus) takes over where the shared variant started
/// the segment it builds, with the shared window up to there: the same numbers, the same map.
@Suite("HLS site copy start")
struct HLSSiteCopyStartTests {
    static func video(keyframe: Bool, at timestamp: UInt32) -> MediaMessage {
        MediaMessage(kind: .video, timestamp: timestamp, payload: ByteBuffer(bytes: [keyframe ? 0x17 : 0x27, 1, 0, 0, 0, 9]))
    }
    static func audio(at timestamp: UInt32) -> MediaMessage {
        MediaMessage(kind: .audio, timestamp: timestamp, payload: ByteBuffer(bytes: [0xAF, 1, 5]))
    }

    @Test("takes over at the keyframe the shared variant's open segment starts at, with what followed it")
    func takesOverAtTheSharedSegmentStart() {
        var start = HLSSiteCopyStart()
        // Before any keyframe nothing is kept (the copy cannot start there).
        start.take(Self.audio(at: 980))
        #expect(start.takeover(sharedSegmentStart: 0) == nil)
        start.take(Self.video(keyframe: true, at: 1000))
        start.take(Self.audio(at: 1010))
        start.take(Self.video(keyframe: false, at: 1040))
        // The shared variant has not cut there yet.
        #expect(start.takeover(sharedSegmentStart: 0) == nil)
        #expect(start.pending.count == 3)
        let from = start.takeover(sharedSegmentStart: 1000)
        #expect(from?.map(\.timestamp) == [1000, 1010, 1040])
        #expect(start.pending.isEmpty)
    }

    @Test("a keyframe the shared variant started no segment at is passed over for the next")
    func passesOverAKeyframeThatStartedNoSegment() {
        var start = HLSSiteCopyStart()
        start.take(Self.video(keyframe: true, at: 1000))
        start.take(Self.video(keyframe: false, at: 1040))
        // The shared segment started later: the keyframe at 1000 was inside a segment.
        #expect(start.takeover(sharedSegmentStart: 1500) == nil)
        #expect(start.pending.isEmpty)
        start.take(Self.video(keyframe: false, at: 1540))
        #expect(start.pending.isEmpty)
        start.take(Self.video(keyframe: true, at: 2000))
        #expect(start.takeover(sharedSegmentStart: 2000)?.map(\.timestamp) == [2000])
    }

    @Test("the feed held while waiting is bounded")
    func boundsWhatItHolds() {
        var start = HLSSiteCopyStart()
        start.take(Self.video(keyframe: true, at: 0))
        for index in 1...HLSSiteCopyStart.maximumPending { start.take(Self.audio(at: UInt32(index))) }
        #expect(start.pending.count <= HLSSiteCopyStart.maximumPending)
        #expect(start.takeover(sharedSegmentStart: 0) == nil)
    }

    @Test("the reopened window lists the closed segments and numbers the next part as the open segment's first")
    func reopenedWindowDropsTheOpenSegmentsParts() {
        var window = HLSSegmentWindow(partTarget: 0.6)
        window.startMap(ByteBuffer(bytes: [1, 2, 3]))
        for segment in 0..<3 {
            window.appendPart(durationSeconds: 0.5, independent: true, bytes: ByteBuffer(bytes: [UInt8(segment)]))
            window.appendPart(durationSeconds: 0.5, independent: false, bytes: ByteBuffer(bytes: [UInt8(segment)]))
            window.closeSegment(startMillis: Int64(segment) * 1000)
        }
        window.appendPart(durationSeconds: 0.5, independent: true, bytes: ByteBuffer(bytes: [9]))
        let copy = window.reopened()
        #expect(copy.nextSequence == 3 && copy.openParts.isEmpty && copy.nextPartNumber == 6)
        #expect(copy.segments.map(\.sequence) == [0, 1, 2])
        #expect(copy.currentMap == ByteBuffer(bytes: [1, 2, 3]))
        // The copy's own first part takes the number the shared one's took.
        var next = copy
        next.appendPart(durationSeconds: 0.5, independent: true, bytes: ByteBuffer(bytes: [7]))
        #expect(next.partEntries.last?.number == window.partEntries.last?.number)
        #expect(next.mediaPlaylist(query: "") == window.mediaPlaylist(query: ""), "the same playlist, part for part")
    }
}
