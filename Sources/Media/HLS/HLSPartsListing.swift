import Foundation

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
    /// new variant's first independent part numbered `firstNumber` or later, the takeover; at the
    /// takeover's first listing the client's shifts are set to follow on from them.
    struct Handover: Sendable, Equatable {
        let from: String
        let firstNumber: Int
        let fromNumberShift: Int
        let fromDiscontinuityShift: Int
        var settled = false
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
            if let other, other.name == client.variant {
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
        let takeover = requested.entries.first { $0.number >= handover.firstNumber && $0.independent }
        let before = other.entries.filter { entry in
            guard let takeover else { return true }
            if let date = entry.programDate, let limit = takeover.programDate { return date < limit.addingTimeInterval(-0.1) }
            return entry.number - other.nextPartNumber < takeover.number - requested.nextPartNumber
        }.map { Item($0, prefix: "../\(other.name)/", numberShift: handover.fromNumberShift, discontinuityShift: handover.fromDiscontinuityShift) }
        if takeover != nil, before.isEmpty, handover.settled {
            // The variant left keeps nothing from before the takeover any more: the handover is over.
            client.handover = nil
            return (listing(own(), query: query), client)
        }
        var items = before
        if let takeover {
            if !handover.settled, let last = before.last {
                client.numberShift = last.number + 1 - takeover.number
                client.discontinuityShift = last.discontinuity - takeover.discontinuity
            }
            handover.settled = true
            client.handover = handover
            items += own(from: takeover.number)
        }
        return (listing(items, query: query), client)
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
