import Foundation
import NIOCore

/// The newest segments of one HLS variant and the init sections they need, with the media
/// playlist (RFC 8216) that lists them. Pure value: the variant's packager owns it under a lock.
public struct HLSSegmentWindow: Sendable {
    public struct Segment: Sendable {
        public let sequence: Int
        /// The init section (EXT-X-MAP) the segment decodes with.
        public let mapNumber: Int
        public let durationSeconds: Double
        /// The stream timestamp of the segment's first picture (its keyframe), in milliseconds.
        public let startMillis: Int64
        public let bytes: ByteBuffer
    }

    /// How many segments the playlist lists, and how many more stay fetchable after leaving it
    /// (a client that read the previous playlist).
    public let listed: Int
    public let extraKept: Int
    public private(set) var segments: [Segment] = []
    private(set) var maps: [Int: ByteBuffer] = [:]
    public private(set) var nextSequence = 0
    private var mapNumber = -1
    /// Discontinuities (a new init section) before the oldest kept segment.
    private var discontinuitiesBefore = 0
    /// Never decreases (RFC 8216 4.3.3.1: it must not change; it only grows from its start value).
    public private(set) var targetDuration: Int

    public init(listed: Int = 6, extraKept: Int = 2, targetDuration: Int = 2) {
        self.listed = max(listed, 1)
        self.extraKept = max(extraKept, 0)
        self.targetDuration = max(targetDuration, 1)
    }

    /// A new init section (first, or the codec configuration changed): the next segment uses it.
    public mutating func startMap(_ bytes: ByteBuffer) {
        mapNumber += 1
        maps[mapNumber] = bytes
    }

    /// Adds a complete segment (of the newest init section); the oldest beyond the window go.
    public mutating func append(durationSeconds: Double, startMillis: Int64, bytes: ByteBuffer) {
        precondition(mapNumber >= 0, "startMap before append")
        segments.append(Segment(sequence: nextSequence, mapNumber: mapNumber, durationSeconds: durationSeconds, startMillis: startMillis, bytes: bytes))
        nextSequence += 1
        targetDuration = max(targetDuration, Int(durationSeconds.rounded()))
        while segments.count > listed + extraKept {
            let removed = segments.removeFirst()
            if let next = segments.first, next.mapNumber != removed.mapNumber { discontinuitiesBefore += 1 }
        }
        let used = Set(segments.map(\.mapNumber))
        maps = maps.filter { used.contains($0.key) || $0.key == mapNumber }
    }

    public func segment(sequence: Int) -> ByteBuffer? {
        guard let first = segments.first, sequence >= first.sequence, sequence - first.sequence < segments.count else { return nil }
        return segments[sequence - first.sequence].bytes
    }

    public func map(number: Int) -> ByteBuffer? { maps[number] }

    /// The media playlist: the newest `listed` segments, each URI followed by `?query`.
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
        var lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            "#EXT-X-TARGETDURATION:\(targetDuration)",
            "#EXT-X-MEDIA-SEQUENCE:\(shown.first?.sequence ?? nextSequence)",
            "#EXT-X-DISCONTINUITY-SEQUENCE:\(discontinuities)",
            "#EXT-X-INDEPENDENT-SEGMENTS",
        ]
        var currentMap: Int?
        for segment in shown {
            if segment.mapNumber != currentMap {
                if currentMap != nil { lines.append("#EXT-X-DISCONTINUITY") }
                lines.append("#EXT-X-MAP:URI=\"init-\(segment.mapNumber).mp4\(suffix)\"")
                currentMap = segment.mapNumber
            }
            lines.append("#EXTINF:\(String(format: "%.3f", segment.durationSeconds)),")
            lines.append("\(segment.sequence).m4s\(suffix)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
