import Foundation
import Testing

@testable import SRT

/// Where an SRT player moves from one rung's MPEG-TS to another's: at a keyframe instant both
/// have, whichever muxer gets there first.
struct RungSwitchoverTests {
    static let start = Date(timeIntervalSince1970: 1_000_000)

    static func chunk(_ tag: UInt8, at position: Int64, keyframe: Bool = false) -> TSChunk {
        TSChunk(bytes: [0x47, tag], startsKeyframe: keyframe, keyframeTime: keyframe ? position : nil, position: position)
    }

    static func tags(_ chunks: [TSChunk]) -> [UInt8] { chunks.map { $0.bytes[1] } }

    /// The tags of the new rung's chunks a switch sends; nil when the action is no switch.
    static func switched(_ action: RungSwitchover.OldFeedAction) -> [UInt8]? {
        if case .switchNow(let chunks) = action { tags(chunks) } else { nil }
    }

    static func switched(_ action: RungSwitchover.NewFeedAction) -> [UInt8]? {
        if case .switchNow(let chunks) = action { tags(chunks) } else { nil }
    }

    @Test func theOldRungWaitsAtTheKeyframeForTheNewOne() {
        var switchover = RungSwitchover(now: Self.start)
        #expect(switchover.new(Self.chunk(1, at: 1960), now: Self.start) == .keep)
        #expect(switchover.old(Self.chunk(2, at: 1990), now: Self.start) == .send)
        // The old rung reaches the keyframe at 2000 first: held back.
        #expect(switchover.old(Self.chunk(3, at: 2000, keyframe: true), now: Self.start) == .hold)
        #expect(switchover.old(Self.chunk(4, at: 2040), now: Self.start) == .hold)
        #expect(switchover.new(Self.chunk(5, at: 1990), now: Self.start) == .keep)
        // The new rung's keyframe at the same instant: the switch, the held chunks dropped.
        #expect(Self.switched(switchover.new(Self.chunk(6, at: 2000, keyframe: true), now: Self.start)) == [6])
    }

    @Test func theNewRungIsKeptFromItsKeyframeUntilTheOldOneGetsThere() {
        var switchover = RungSwitchover(now: Self.start)
        #expect(switchover.new(Self.chunk(1, at: 2000, keyframe: true), now: Self.start) == .keep)
        #expect(switchover.new(Self.chunk(2, at: 2040), now: Self.start) == .keep)
        #expect(switchover.old(Self.chunk(3, at: 1990), now: Self.start) == .send)
        // The old rung reaches the kept keyframe: the new rung's chunks from there.
        #expect(Self.switched(switchover.old(Self.chunk(4, at: 2000, keyframe: true), now: Self.start)) == [1, 2])
    }

    @Test func misalignedKeyframesReleaseTheOldRungAndMeetLater() {
        var switchover = RungSwitchover(now: Self.start)
        #expect(switchover.new(Self.chunk(1, at: 1900), now: Self.start) == .keep)
        #expect(switchover.old(Self.chunk(2, at: 2000, keyframe: true), now: Self.start) == .hold)
        // The new rung's next keyframe is later: what was held goes out, the old rung goes on.
        #expect(switchover.new(Self.chunk(3, at: 4000, keyframe: true), now: Self.start) == .release([Self.chunk(2, at: 2000, keyframe: true)]))
        #expect(switchover.old(Self.chunk(4, at: 2040), now: Self.start) == .send)
        // Both have a keyframe at 4000: the switch there.
        #expect(Self.switched(switchover.old(Self.chunk(5, at: 4000, keyframe: true), now: Self.start)) == [3])
    }

    @Test func aNewRungWithoutThatKeyframeReleasesTheHold() {
        var switchover = RungSwitchover(now: Self.start)
        #expect(switchover.new(Self.chunk(1, at: 1900), now: Self.start) == .keep)
        #expect(switchover.old(Self.chunk(2, at: 2000, keyframe: true), now: Self.start) == .hold)
        #expect(switchover.new(Self.chunk(3, at: 2300), now: Self.start) == .keep)
        #expect(switchover.new(Self.chunk(4, at: 2600), now: Self.start) == .release([Self.chunk(2, at: 2000, keyframe: true)]))
    }

    @Test func theHoldEndsAfterASecond() {
        var switchover = RungSwitchover(now: Self.start)
        #expect(switchover.new(Self.chunk(1, at: 1900), now: Self.start) == .keep)
        #expect(switchover.old(Self.chunk(2, at: 2000, keyframe: true), now: Self.start) == .hold)
        let later = Self.start.addingTimeInterval(1.5)
        #expect(switchover.old(Self.chunk(3, at: 2040), now: later) == .release([Self.chunk(2, at: 2000, keyframe: true), Self.chunk(3, at: 2040)]))
        // Cancelling with nothing held sends nothing.
        #expect(switchover.cancel().isEmpty)
    }

    @Test func nothingIsHeldBeforeTheNewRungFlows() {
        var switchover = RungSwitchover(now: Self.start)
        #expect(switchover.old(Self.chunk(1, at: 2000, keyframe: true), now: Self.start) == .send)
        #expect(switchover.old(Self.chunk(2, at: 2040), now: Self.start) == .send)
    }

    @Test func aDiscontinuityIsMarkedOnlyWhereAnAdaptationFieldExists() {
        var packet = [UInt8](repeating: 0xFF, count: 188 * 2)
        packet[0] = 0x47
        packet[3] = 0x30  // adaptation field and payload
        packet[4] = 7
        packet[5] = 0x50  // random access + PCR
        packet[188] = 0x47
        packet[188 + 3] = 0x10  // payload only
        packet[188 + 5] = 0x00
        let marked = TSChunk(bytes: packet, startsKeyframe: true, keyframeTime: 0, position: 0).markingDiscontinuity()
        #expect(marked.bytes[5] == 0xD0)
        #expect(marked.bytes[188 + 5] == 0x00)
    }
}
