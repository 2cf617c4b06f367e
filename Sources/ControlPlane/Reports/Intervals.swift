public import Foundation

/// Time intervals as the reports add them up: sessions merged (several players of one site at
/// once count once), clipped to a window, intersected with the time the lesson was live.
public struct Intervals: Sendable, Equatable {
    /// Sorted, disjoint, each with start < end.
    public private(set) var spans: [ClosedRange<Date>]

    public init() { spans = [] }

    /// The union of `ranges` (empty or reversed ones ignored); gaps shorter than `joiningGapsUnder`
    /// are closed (a publisher taken over between two polls has no real gap).
    public init(_ ranges: [(Date, Date)], joiningGapsUnder gap: TimeInterval = 0) {
        let sorted = ranges.filter { $0.0 < $0.1 }.sorted { $0.0 < $1.0 }
        var merged: [ClosedRange<Date>] = []
        for (start, end) in sorted {
            if let last = merged.last, start.timeIntervalSince(last.upperBound) <= gap {
                if end > last.upperBound { merged[merged.count - 1] = last.lowerBound...end }
            } else {
                merged.append(start...end)
            }
        }
        spans = merged
    }

    public var totalSeconds: TimeInterval { spans.reduce(0) { $0 + $1.upperBound.timeIntervalSince($1.lowerBound) } }
    public var start: Date? { spans.first?.lowerBound }
    public var end: Date? { spans.last?.upperBound }
    public var isEmpty: Bool { spans.isEmpty }

    /// The gaps between the spans.
    public var gaps: [TimeInterval] { zip(spans, spans.dropFirst()).map { $1.lowerBound.timeIntervalSince($0.upperBound) } }

    /// The part inside [from, to].
    public func clipped(from: Date, to: Date) -> Intervals {
        intersection(Intervals([(from, to)]))
    }

    /// The time in both.
    public func intersection(_ other: Intervals) -> Intervals {
        var result: [(Date, Date)] = []
        var i = 0
        var j = 0
        while i < spans.count && j < other.spans.count {
            let a = spans[i]
            let b = other.spans[j]
            let start = max(a.lowerBound, b.lowerBound)
            let end = min(a.upperBound, b.upperBound)
            if start < end { result.append((start, end)) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        return Intervals(result)
    }
}
