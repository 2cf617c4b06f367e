import Foundation
import Media

/// Media playlists for a player that fetches whole segments only and starts a live playlist three
/// segments from its end: Chromium's own HLS player (its `SegmentStream` keeps the last three
/// segments of the first playlist it reads, and of a reload that finds its queue empty). Listing
/// each low-latency part (~0.5 s) as a segment puts it ~1.5 s behind the encoder instead of three
/// GOPs. Only a GOP's first part starts with a keyframe, and that player needs one where it starts
/// and where it switches variants (a new init section drops pictures up to the next keyframe), so
/// each client's playlists are made for it:
/// - joining: its first playlist ends two parts after an independent one (at most `maxHidden`
///   newer parts left out), so the three parts it keeps start at a keyframe;
/// - switching: the variant it moves to lists the one it left, part by part, up to its own first
///   keyframe after the switch (a handover), and its own parts from there.
/// Pure: ``HLSPackager`` keeps each client's state and reads the variants' kept parts.
struct HLSPartsListing {
    /// One variant's kept parts, as the listing reads them.
    struct Variant {
        let name: String
        let entries: [HLSSegmentWindow.PartEntry]
        let nextPartNumber: Int
    }

    /// What a client is being listed. Its playlists number parts for it: a variant's own part
    /// and discontinuity numbers plus the client's shifts, so that they go on from the variant it
    /// switched from instead of jumping (variants started at different times count apart).
    struct Client: Sendable, Equatable {
        var variant: String
        var numberShift = 0
        var discontinuityShift = 0
        var handover: Handover?
    }

    /// A switch not yet done: the parts of `from` (numbered with its shifts) are listed up to the
    /// takeover (``takeover(_:requested:other:)``), a keyframe part of the new variant cut after
    /// the switch (numbered `firstNumber` or later). When it is chosen the client's shifts are set
    /// to follow on.
    struct Handover: Sendable, Equatable {
        let from: String
        let firstNumber: Int
        let fromNumberShift: Int
        let fromDiscontinuityShift: Int
        /// The end of the newest part of `from` listed while no takeover was chosen.
        var listedEnd: Date?
        /// The takeover's part number, once chosen.
        var takeover: Int?
    }

    /// The newest parts a joining playlist leaves out: one, so that the player starts four parts
    /// (~2 s) behind the encoder, not three: it reloads once a second, and three parts ahead of
    /// it were found to run out now and then (a stall of 20–250 ms every ~10 s). No more: its next
    /// reload finds these and the ones cut meanwhile, and more than three there would make it
    /// skip the oldest (it keeps the last three), a gap in pictures that are not keyframes.
    static let hiddenAtJoin = 1

    /// The playlist for `client` (nil: its first) asking for variant `requested`, with `other`
    /// the variant it is leaving (nil: none, or gone), and the client's state after it. A nil
    /// playlist: not ready (no keyframe to join at yet), ask again.
    static func playlist(client: Client?, requested: Variant, other: Variant?, query: String) -> (playlist: String?, client: Client?) {
        guard var client else {
            guard let end = joinEnd(requested.entries) else { return (nil, nil) }
            let items = requested.entries[...end].map { Item($0, prefix: "", numberShift: 0, discontinuityShift: 0) }
            return (render(items, query: query), Client(variant: requested.name))
        }
        if client.variant != requested.name {
            // A handover needs dates to line the two variants up (the packager dates every part).
            if let other, other.name == client.variant, requested.entries.last?.programDate != nil {
                client.handover = Handover(
                    from: other.name, firstNumber: requested.nextPartNumber,
                    fromNumberShift: client.numberShift, fromDiscontinuityShift: client.discontinuityShift
                )
                client.numberShift += other.nextPartNumber - requested.nextPartNumber
                client.discontinuityShift += (other.entries.last?.discontinuity ?? 0) - (requested.entries.last?.discontinuity ?? 0)
            } else {
                client.handover = nil
            }
            client.variant = requested.name
        }
        func own(from first: Int = .min) -> [Item] {
            requested.entries.filter { $0.number >= first }
                .map { Item($0, prefix: "", numberShift: client.numberShift, discontinuityShift: client.discontinuityShift) }
        }
        guard var handover = client.handover, let other, other.name == handover.from else {
            client.handover = nil
            return (listing(own(), query: query), client)
        }
        let chosenBefore = handover.takeover != nil
        if !chosenBefore { handover.takeover = Self.takeover(handover, requested: requested, other: other) }
        let takeover = handover.takeover.flatMap { number in requested.entries.first { $0.number == number } }
        let limit = takeover?.programDate
        let before = other.entries.filter { entry in
            guard let limit else { return true }
            return entry.programDate.map { $0 < limit.addingTimeInterval(-Self.alignment) } ?? false
        }.map { Item($0, prefix: "../\(other.name)/", numberShift: handover.fromNumberShift, discontinuityShift: handover.fromDiscontinuityShift) }
        if handover.takeover != nil, takeover == nil || (chosenBefore && before.isEmpty) {
            // The takeover left the window, or the variant left keeps nothing from before it: over.
            client.handover = nil
            return (listing(own(), query: query), client)
        }
        if let takeover, !chosenBefore, let last = before.last {
            client.numberShift = last.number + 1 - takeover.number
            client.discontinuityShift = last.discontinuity - takeover.discontinuity
        }
        if takeover == nil, let last = before.last?.entry, let date = last.programDate {
            handover.listedEnd = date.addingTimeInterval(last.durationSeconds)
        }
        client.handover = handover
        let items = before + (takeover.map { own(from: $0.number) } ?? [])
        return (listing(items, query: query), client)
    }

    /// How far apart two dates may be and still be one boundary (dates are in milliseconds).
    static let alignment = 0.02

    /// The takeover: the new variant's first keyframe part cut after the switch that starts no
    /// earlier than the parts listed from the old one end, and where an old part starts too, so
    /// that the player's media runs on without a gap or a repeat (a gap stalls it up to a
    /// second). A keyframe the old variant has not reached yet waits; one with no old part
    /// starting there (a rung just started, its keyframes not yet the ladder's) is passed over.
    static func takeover(_ handover: Handover, requested: Variant, other: Variant) -> Int? {
        let oldEnd = other.entries.last.flatMap { entry in entry.programDate.map { $0.addingTimeInterval(entry.durationSeconds) } }
        for entry in requested.entries where entry.number >= handover.firstNumber && entry.independent {
            guard let date = entry.programDate else { continue }
            if let listed = handover.listedEnd, date < listed.addingTimeInterval(-alignment) { continue }
            let aligned = other.entries.contains { old in old.programDate.map { abs($0.timeIntervalSince(date)) <= alignment } ?? false }
            if aligned { return entry.number }
            if let oldEnd, oldEnd < date.addingTimeInterval(alignment) { return nil }
        }
        return nil
    }

    /// The playlist of `items` from the first numbered 0 or more (nil: none).
    private static func listing(_ items: [Item], query: String) -> String? {
        let counted = items.drop { $0.number < 0 || $0.discontinuity < 0 }
        return counted.isEmpty ? nil : render(Array(counted), query: query)
    }

    /// Where a joining playlist ends: `hiddenAtJoin` parts before the newest, if the third part
    /// from there back is independent (nil: wait for the parts that make it so).
    static func joinEnd(_ entries: [HLSSegmentWindow.PartEntry]) -> Int? {
        let end = entries.count - 1 - hiddenAtJoin
        return end >= 2 && entries[end - 2].independent ? end : nil
    }

    private struct Item {
        let entry: HLSSegmentWindow.PartEntry
        /// The URI prefix of a part listed from another variant (`../<variant>/`).
        let prefix: String
        let number: Int
        let discontinuity: Int

        init(_ entry: HLSSegmentWindow.PartEntry, prefix: String, numberShift: Int, discontinuityShift: Int) {
            self.entry = entry
            self.prefix = prefix
            self.number = entry.number + numberShift
            self.discontinuity = entry.discontinuity + discontinuityShift
        }
    }

    private static func render(_ items: [Item], query: String) -> String {
        let suffix = query.isEmpty ? "" : "?" + query
        let target = max(1, items.map { Int($0.entry.durationSeconds.rounded()) }.max() ?? 1)
        var lines = [
            "#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\(target)",
            "#EXT-X-MEDIA-SEQUENCE:\(items.first?.number ?? 0)",
            "#EXT-X-DISCONTINUITY-SEQUENCE:\(items.first?.discontinuity ?? 0)",
        ]
        var map: String?
        var discontinuity = items.first?.discontinuity
        for item in items {
            if item.discontinuity != discontinuity {
                lines.append("#EXT-X-DISCONTINUITY")
                discontinuity = item.discontinuity
            }
            let itemMap = "\(item.prefix)init-\(item.entry.mapNumber).mp4"
            if itemMap != map {
                lines.append("#EXT-X-MAP:URI=\"\(itemMap)\(suffix)\"")
                map = itemMap
            }
            if let date = item.entry.programDate { lines.append("#EXT-X-PROGRAM-DATE-TIME:\(HLSProgramClock.format(date))") }
            lines.append("#EXTINF:\(String(format: "%.3f", item.entry.durationSeconds)),")
            lines.append("\(item.prefix)\(item.entry.sequence).\(item.entry.index).m4s\(suffix)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
