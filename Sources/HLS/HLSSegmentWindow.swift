public import Foundation
import Media
public import NIOCore

/// The newest segments of one HLS variant and the init sections they need, with the media
/// playlist (RFC 8216) that lists them; with a part target, also low-latency HLS (RFC 8216bis,
/// Apple's LL-HLS): each segment grows from parts (one fMP4 fragment each) listed as they come,
/// a preload hint for the next, blocking playlist reloads. Pure value: the variant's packager
/// owns it under a lock.
public struct HLSSegmentWindow: Sendable {
    public struct Part: Sendable {
        public let durationSeconds: Double
        /// Starts with a keyframe (a player may start here).
        public let independent: Bool
        public let bytes: ByteBuffer
        /// Its place among all the variant's parts, counted from 0.
        public let number: Int
        /// Its first picture's wall-clock date; nil: not known.
        public let programDate: Date?
    }

    /// A kept part as a playlist that lists parts as segments names it (``HLSPartsListing``).
    public struct PartEntry: Sendable, Equatable {
        /// Its segment's media sequence number and its index there (its URI, `<sequence>.<index>.m4s`).
        public let sequence: Int
        public let index: Int
        public let number: Int
        public let durationSeconds: Double
        public let independent: Bool
        public let programDate: Date?
        /// Its init section, and the discontinuity sequence number that section starts.
        public let mapNumber: Int
        public let discontinuity: Int
    }

    public struct Segment: Sendable {
        public let sequence: Int
        /// The init section (EXT-X-MAP) the segment decodes with.
        public let mapNumber: Int
        public let durationSeconds: Double
        /// The stream timestamp of the segment's first picture (its keyframe), in milliseconds.
        public let startMillis: Int64
        /// Its first picture's wall-clock date (EXT-X-PROGRAM-DATE-TIME), RFC 3339; nil: not listed.
        public let programDateTime: String?
        /// The segment whole: its parts' fragments one after another.
        public let bytes: ByteBuffer
        /// Its parts, kept while the playlist lists them (the newest few segments).
        public fileprivate(set) var parts: [Part]
    }

    /// How many segments the playlist lists, and how many more stay fetchable after leaving it
    /// (a client that read the previous playlist).
    public let listed: Int
    public let extraKept: Int
    /// The part target in seconds (EXT-X-PART-INF); nil: plain HLS, segments only.
    public let partTarget: Double?
    /// Segments whose parts are listed (and kept) behind the one being built.
    public static let segmentsWithParts = 3
    public private(set) var segments: [Segment] = []
    /// The parts of segment `nextSequence`, being built.
    public private(set) var openParts: [Part] = []
    private(set) var maps: [Int: ByteBuffer] = [:]
    public private(set) var nextSequence = 0
    /// The number the next part gets.
    public private(set) var nextPartNumber = 0
    private var mapNumber = -1
    /// Discontinuities (a new init section) before the oldest kept segment.
    private var discontinuitiesBefore = 0
    /// Never decreases (RFC 8216 4.3.3.1: it must not change; it only grows from its start value).
    public private(set) var targetDuration: Int

    public init(listed: Int = 6, extraKept: Int = 2, targetDuration: Int = 2, partTarget: Double? = nil) {
        self.listed = max(listed, 1)
        self.extraKept = max(extraKept, 0)
        self.targetDuration = max(targetDuration, 1)
        self.partTarget = partTarget
    }

    /// A new init section (first, or the codec configuration changed): the next segment uses it.
    public mutating func startMap(_ bytes: ByteBuffer) {
        mapNumber += 1
        maps[mapNumber] = bytes
    }

    /// The window as it stood when its open segment started (that segment's parts left out):
    /// where a site's copy of the variant, muxing the same pictures with its own audio, takes
    /// over with the same numbers and init section.
    public func reopened() -> HLSSegmentWindow {
        var copy = self
        copy.nextPartNumber -= copy.openParts.count
        copy.openParts = []
        return copy
    }

    /// Adds a part to the segment being built.
    public mutating func appendPart(durationSeconds: Double, independent: Bool, bytes: ByteBuffer, programDate: Date? = nil) {
        precondition(mapNumber >= 0, "startMap before appendPart")
        openParts.append(
            Part(
                durationSeconds: durationSeconds, independent: independent, bytes: bytes, number: nextPartNumber, programDate: programDate
            ))
        nextPartNumber += 1
    }

    /// Ends the segment being built (its parts become one segment); the oldest beyond the window go.
    public mutating func closeSegment(startMillis: Int64, programDateTime: String? = nil) {
        guard !openParts.isEmpty else { return }
        var bytes = ByteBufferAllocator().buffer(capacity: openParts.reduce(0) { $0 + $1.bytes.readableBytes })
        for part in openParts { bytes.writeImmutableBuffer(part.bytes) }
        let duration = openParts.reduce(0) { $0 + $1.durationSeconds }
        segments.append(
            Segment(
                sequence: nextSequence, mapNumber: mapNumber, durationSeconds: duration, startMillis: startMillis,
                programDateTime: programDateTime, bytes: bytes,
                parts: partTarget == nil ? [] : openParts
            ))
        openParts = []
        nextSequence += 1
        targetDuration = max(targetDuration, Int(duration.rounded()))
        while segments.count > listed + extraKept {
            let removed = segments.removeFirst()
            if let next = segments.first, next.mapNumber != removed.mapNumber { discontinuitiesBefore += 1 }
        }
        for index in segments.indices.dropLast(Self.segmentsWithParts) where !segments[index].parts.isEmpty {
            segments[index].parts = []
        }
        let used = Set(segments.map(\.mapNumber))
        maps = maps.filter { used.contains($0.key) || $0.key == mapNumber }
    }

    /// A whole segment as one part and closed at once (plain HLS).
    public mutating func append(durationSeconds: Double, startMillis: Int64, bytes: ByteBuffer) {
        appendPart(durationSeconds: durationSeconds, independent: true, bytes: bytes)
        closeSegment(startMillis: startMillis)
    }

    public func segment(sequence: Int) -> ByteBuffer? {
        guard let first = segments.first, sequence >= first.sequence, sequence - first.sequence < segments.count else { return nil }
        return segments[sequence - first.sequence].bytes
    }

    /// Part `index` of segment `sequence` (closed or being built), while it is kept.
    public func part(sequence: Int, index: Int) -> ByteBuffer? {
        guard index >= 0 else { return nil }
        if sequence == nextSequence { return index < openParts.count ? openParts[index].bytes : nil }
        guard let first = segments.first, sequence >= first.sequence, sequence - first.sequence < segments.count else { return nil }
        let parts = segments[sequence - first.sequence].parts
        return index < parts.count ? parts[index].bytes : nil
    }

    /// True once segment `sequence` is closed, or (with `part`) has that part.
    public func has(sequence: Int, part: Int?) -> Bool {
        if sequence < nextSequence { return true }
        guard sequence == nextSequence, let part else { return false }
        return part < openParts.count
    }

    public func map(number: Int) -> ByteBuffer? { maps[number] }
    /// The init section the next segment uses.
    public var currentMap: ByteBuffer? { maps[mapNumber] }

    /// Every kept part, oldest first: those of the newest closed segments, then the open segment's.
    public var partEntries: [PartEntry] {
        var entries: [PartEntry] = []
        var discontinuity = discontinuitiesBefore
        var previousMap: Int?
        func add(_ parts: [Part], sequence: Int, map: Int) {
            if let previousMap, previousMap != map { discontinuity += 1 }
            previousMap = map
            for (index, part) in parts.enumerated() {
                entries.append(
                    PartEntry(
                        sequence: sequence, index: index, number: part.number, durationSeconds: part.durationSeconds,
                        independent: part.independent, programDate: part.programDate, mapNumber: map, discontinuity: discontinuity
                    ))
            }
        }
        for segment in segments { add(segment.parts, sequence: segment.sequence, map: segment.mapNumber) }
        add(openParts, sequence: nextSequence, map: mapNumber)
        return entries
    }

    /// The media playlist: the newest `listed` segments (and with parts, the newest ones' parts,
    /// the segment being built and a preload hint), each URI followed by `?query`.
    public func mediaPlaylist(query: String) -> String {
        let shown = segments.suffix(listed)
        let suffix = query.isEmpty ? "" : "?" + query
        // Discontinuities before the first listed segment: those already dropped, and each change
        // of init section among the kept segments up to it.
        var discontinuities = discontinuitiesBefore
        let hidden = segments.count - shown.count
        if hidden > 0 {
            for index in 1...hidden where segments[index].mapNumber != segments[index - 1].mapNumber { discontinuities += 1 }
        }
        var lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\(targetDuration)"]
        if let partTarget {
            lines.append(String(format: "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=%.3f", 3 * partTarget))
            lines.append(String(format: "#EXT-X-PART-INF:PART-TARGET=%.3f", partTarget))
        }
        lines += [
            "#EXT-X-MEDIA-SEQUENCE:\(shown.first?.sequence ?? nextSequence)",
            "#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuities)",
            "#EXT-X-INDEPENDENT-SEGMENTS",
        ]
        var currentMap: Int?
        func partLines(_ parts: [Part], sequence: Int) {
            for (index, part) in parts.enumerated() {
                lines.append(
                    String(format: "#EXT-X-PART:DURATION=%.3f,URI=\"%d.%d.m4s%@\"", part.durationSeconds, sequence, index, suffix)
                        + (part.independent ? ",INDEPENDENT=YES" : ""))
            }
        }
        for segment in shown {
            if segment.mapNumber != currentMap {
                if currentMap != nil { lines.append("#EXT-X-DISCONTINUITY") }
                lines.append("#EXT-X-MAP:URI=\"init-\(segment.mapNumber).mp4\(suffix)\"")
                currentMap = segment.mapNumber
            }
            if let date = segment.programDateTime { lines.append("#EXT-X-PROGRAM-DATE-TIME:\(date)") }
            partLines(segment.parts, sequence: segment.sequence)
            lines.append("#EXTINF:\(String(format: "%.3f", segment.durationSeconds)),")
            lines.append("\(segment.sequence).m4s\(suffix)")
        }
        if partTarget != nil, !shown.isEmpty {
            if mapNumber != currentMap {
                lines.append("#EXT-X-DISCONTINUITY")
                lines.append("#EXT-X-MAP:URI=\"init-\(mapNumber).mp4\(suffix)\"")
            }
            partLines(openParts, sequence: nextSequence)
            lines.append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"\(nextSequence).\(openParts.count).m4s\(suffix)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
