import Foundation
import NIOCore
import Testing

@testable import HLS
@testable import Media

/// Playlists that list parts as segments, for Chromium's own HLS player: where a client joins,
/// how a switch of variant is handed over at the new variant's keyframe, how parts are numbered.
@Suite("HLS parts listed as segments")
struct HLSPartsListingTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A variant's window with `parts` parts of 0.5 s from `firstMillis`, a GOP (segment) every
    /// `perGOP` parts; part k dated start + its timestamp.
    static func window(parts: Int, perGOP: Int = 4, firstMillis: Int = 0) -> HLSSegmentWindow {
        var window = HLSSegmentWindow(listed: 6, extraKept: 2, targetDuration: 2, partTarget: 0.6)
        window.startMap(ByteBuffer(bytes: [0xA0]))
        for k in 0..<parts {
            let millis = firstMillis + k * 500
            if k > 0, k % perGOP == 0 { window.closeSegment(startMillis: Int64(millis - perGOP * 500)) }
            window.appendPart(
                durationSeconds: 0.5, independent: k % perGOP == 0, bytes: ByteBuffer(bytes: [UInt8(k & 0xFF)]),
                programDate: start.addingTimeInterval(Double(millis) / 1000)
            )
        }
        return window
    }

    static func variant(_ name: String, _ window: HLSSegmentWindow) -> HLSPartsListing.Variant {
        HLSPartsListing.Variant(name: name, entries: window.partEntries, nextPartNumber: window.nextPartNumber)
    }

    /// The URIs a playlist lists, in order (tokens dropped).
    static func uris(_ playlist: String?) -> [String] {
        (playlist ?? "").split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.split(separator: "?")[0]) }
    }

    static func mediaSequence(_ playlist: String?) -> Int? {
        (playlist ?? "").split(separator: "\n").first { $0.hasPrefix("#EXT-X-MEDIA-SEQUENCE:") }.flatMap { Int($0.dropFirst(22)) }
    }

    @Test("the window's kept parts: numbered on across segments, dated, independent at each GOP, a new init section a discontinuity")
    func windowEntries() {
        var window = Self.window(parts: 6)
        window.closeSegment(startMillis: 2000)
        window.startMap(ByteBuffer(bytes: [0xA1]))
        window.appendPart(durationSeconds: 0.5, independent: true, bytes: ByteBuffer(bytes: [9]))
        let entries = window.partEntries
        #expect(entries.map(\.number) == Array(0...6))
        #expect(entries.map(\.independent) == [true, false, false, false, true, false, true])
        #expect(entries.map { "\($0.sequence).\($0.index)" } == ["0.0", "0.1", "0.2", "0.3", "1.0", "1.1", "2.0"])
        #expect(entries.map(\.discontinuity) == [0, 0, 0, 0, 0, 0, 1])
        #expect(entries.map(\.mapNumber) == [0, 0, 0, 0, 0, 0, 1])
        #expect(entries[5].programDate == Self.start.addingTimeInterval(2.5))
        #expect(window.nextPartNumber == 7)
    }

    @Test("a joining playlist ends one part before the newest, and its third-last part is a keyframe")
    func joinsAtAKeyframe() {
        // Parts 0…5 (keyframes at 0 and 4): ending at 4 would start at 2, not a keyframe.
        #expect(HLSPartsListing.playlist(client: nil, requested: Self.variant("360p", Self.window(parts: 6)), other: nil, query: "").playlist == nil)
        #expect(HLSPartsListing.playlist(client: nil, requested: Self.variant("360p", Self.window(parts: 7)), other: nil, query: "").playlist == nil)
        // Parts 0…7: ends at 6, starts at 4.
        let (playlist, client) = HLSPartsListing.playlist(
            client: nil, requested: Self.variant("360p", Self.window(parts: 8)), other: nil, query: "t=x")
        #expect(Self.uris(playlist).suffix(3) == ["1.0.m4s", "1.1.m4s", "1.2.m4s"], "\(playlist ?? "nil")")
        #expect(client == HLSPartsListing.Client(variant: "360p"))
        #expect(
            playlist?.contains(
                "#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-MAP:URI=\"init-0.mp4?t=x\"\n#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:00.000Z\n#EXTINF:0.500,\n0.0.m4s?t=x\n"
            ) == true, "\(playlist ?? "nil")")
        #expect(playlist?.contains("INDEPENDENT") == false && playlist?.contains("#EXT-X-PART") == false)
        // Then every kept part.
        let later = HLSPartsListing.playlist(client: client, requested: Self.variant("360p", Self.window(parts: 9)), other: nil, query: "")
        #expect(Self.uris(later.playlist).last == "2.0.m4s")
        #expect(later.client == client)
    }

    @Test("a switch lists the variant left up to the new one's first keyframe after it, then the new one's parts, numbered on")
    func switchHandsOverAtTheNewVariantsKeyframe() {
        let joined = HLSPartsListing.Client(variant: "source")
        // The client switches to 480p at part 9 (480p started later: its parts count from 0 at source's 4).
        let at9 = HLSPartsListing.playlist(
            client: joined, requested: Self.variant("480p", Self.window(parts: 5, firstMillis: 2000)),
            other: Self.variant("source", Self.window(parts: 9)), query: ""
        )
        #expect(at9.client?.handover?.from == "source")
        #expect(Self.uris(at9.playlist).allSatisfy { $0.hasPrefix("../source/") }, "no keyframe of 480p since the switch: \(at9.playlist ?? "")")
        #expect(Self.uris(at9.playlist).last == "../source/2.0.m4s")
        #expect(at9.playlist?.contains("#EXT-X-MAP:URI=\"../source/init-0.mp4\"") == true)
        // 480p's keyframe at source's part 12 (its own part 8) takes over.
        let at13 = HLSPartsListing.playlist(
            client: at9.client, requested: Self.variant("480p", Self.window(parts: 10, firstMillis: 2000)),
            other: Self.variant("source", Self.window(parts: 14)), query: ""
        )
        let uris = Self.uris(at13.playlist)
        #expect(Array(uris.suffix(4)) == ["../source/2.2.m4s", "../source/2.3.m4s", "2.0.m4s", "2.1.m4s"], "\(at13.playlist ?? "")")
        #expect(at13.playlist?.contains("#EXT-X-MAP:URI=\"init-0.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2027-01-15T08:00:06.000Z\n") == true)
        #expect(at13.playlist?.contains("#EXT-X-DISCONTINUITY\n") == false, "the same stream: no discontinuity at the handover")
        // Numbers go on from the source's: its first listed part keeps its number.
        #expect(uris.first == "../source/0.0.m4s")
        #expect(Self.mediaSequence(at13.playlist) == 0)
        #expect(at13.client?.numberShift == 4, "480p's part 8 is listed as 12")
        // Once 480p keeps nothing from before its takeover, its own parts alone, numbered alike.
        var window = Self.window(parts: 30, firstMillis: 2000)
        let late = HLSPartsListing.playlist(
            client: at13.client, requested: Self.variant("480p", window),
            other: Self.variant("source", Self.window(parts: 34)), query: ""
        )
        #expect(late.client?.handover == nil)
        #expect(Self.uris(late.playlist).allSatisfy { !$0.hasPrefix("../") })
        #expect(Self.mediaSequence(late.playlist) == window.partEntries[0].number + 4)
        window.appendPart(durationSeconds: 0.5, independent: false, bytes: ByteBuffer(bytes: [1]))
        let next = HLSPartsListing.playlist(client: late.client, requested: Self.variant("480p", window), other: nil, query: "")
        #expect(Self.mediaSequence(next.playlist) == Self.mediaSequence(late.playlist))
    }

    @Test("a keyframe of the new variant earlier than the parts already listed from the old one does not take over; the next one does")
    func takeoverNotBehindWhatWasListed() {
        let joined = HLSPartsListing.Client(variant: "source")
        // Switched while 480p (a fresh rung) has parts 0…5; the source's 0…12 are listed (to 6.5 s).
        let switched = HLSPartsListing.playlist(
            client: joined, requested: Self.variant("480p", Self.window(parts: 6, firstMillis: 2000)),
            other: Self.variant("source", Self.window(parts: 13)), query: ""
        )
        #expect(switched.client?.handover?.listedEnd == Self.start.addingTimeInterval(6.5))
        // 480p's keyframe at 6.0 s (its part 8) comes after the switch, but the player has the
        // source to 6.5 s: still the source.
        let later = HLSPartsListing.playlist(
            client: switched.client, requested: Self.variant("480p", Self.window(parts: 10, firstMillis: 2000)),
            other: Self.variant("source", Self.window(parts: 14)), query: ""
        )
        #expect(Self.uris(later.playlist).allSatisfy { $0.hasPrefix("../source/") }, "\(later.playlist ?? "")")
        #expect(later.client?.handover?.takeover == nil)
        // Its next keyframe, at 8.0 s, takes over.
        let over = HLSPartsListing.playlist(
            client: later.client, requested: Self.variant("480p", Self.window(parts: 14, firstMillis: 2000)),
            other: Self.variant("source", Self.window(parts: 18)), query: ""
        )
        #expect(Array(Self.uris(over.playlist).suffix(3)) == ["../source/3.3.m4s", "3.0.m4s", "3.1.m4s"], "\(over.playlist ?? "")")
        #expect(over.client?.handover?.takeover == 12)
    }

    @Test(
        "the takeover is a keyframe where a part of the old variant starts too: one 80 ms off is passed over, one the old variant has not reached waits"
    )
    func takeoverAtAnAlignedBoundary() {
        // A rung just started: its first keyframe at 6.08 s, the ladder's from 8.0 s.
        var rung = HLSSegmentWindow(listed: 6, extraKept: 2, targetDuration: 2, partTarget: 0.6)
        rung.startMap(ByteBuffer(bytes: [0xA0]))
        for (millis, independent) in [(6080, true), (6500, false), (7000, false), (7500, false), (8000, true)] {
            if independent, millis > 6080 { rung.closeSegment(startMillis: 6080) }
            rung.appendPart(
                durationSeconds: 0.5, independent: independent, bytes: ByteBuffer(bytes: [1]),
                programDate: Self.start.addingTimeInterval(Double(millis) / 1000)
            )
        }
        let handover = HLSPartsListing.Handover(from: "source", firstNumber: 0, fromNumberShift: 0, fromDiscontinuityShift: 0)
        #expect(
            HLSPartsListing.takeover(handover, requested: Self.variant("480p", rung), other: Self.variant("source", Self.window(parts: 16))) == nil,
            "8.0 s: the source has not reached it")
        #expect(HLSPartsListing.takeover(handover, requested: Self.variant("480p", rung), other: Self.variant("source", Self.window(parts: 17))) == 4)
        let client = HLSPartsListing.Client(variant: "480p", handover: handover)
        let listed = HLSPartsListing.playlist(
            client: client, requested: Self.variant("480p", rung), other: Self.variant("source", Self.window(parts: 17)), query: "")
        #expect(
            Array(Self.uris(listed.playlist).suffix(2)) == ["../source/3.3.m4s", "1.0.m4s"], "no gap, no repeat at 8.0 s: \(listed.playlist ?? "")")
    }

    @Test("the variant left is gone: the new one's own parts, none numbered below 0")
    func handoverWithoutTheOldVariant() {
        // Joined on a young variant (part 3), switched to an old one (part 40): its parts from
        // before the switch would number below 0 for this client, and are not listed.
        let young = HLSPartsListing.Client(variant: "360p")
        let switched = HLSPartsListing.playlist(
            client: young, requested: Self.variant("source", Self.window(parts: 40)),
            other: Self.variant("360p", Self.window(parts: 3, firstMillis: 18_500)), query: ""
        )
        #expect(switched.client?.numberShift == 3 - 40)
        let alone = HLSPartsListing.playlist(
            client: switched.client, requested: Self.variant("source", Self.window(parts: 41)), other: nil, query: "")
        #expect(alone.client?.handover == nil)
        #expect(
            Self.uris(alone.playlist) == ["9.1.m4s", "9.2.m4s", "9.3.m4s", "10.0.m4s"], "only the parts numbered 0 or more: \(alone.playlist ?? "")")
        #expect(Self.mediaSequence(alone.playlist) == 0)
    }
}
