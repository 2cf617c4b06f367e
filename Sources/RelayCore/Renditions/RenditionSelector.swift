public import NIOCore

/// Chooses one player's rung: at first the highest whose total bitrate × `headroom` fits the
/// site's bandwidth; one or more rungs down when the player's backlog grows (to what the
/// throughput measured on its connection carries); one rung up after a calm, stable period.
///
/// Pure: no sockets and no clock of its own (callers pass `now`), so it is tested with a fake clock.
public struct RenditionSelector: Sendable {
    public struct Configuration: Sendable {
        /// A rung fits a link when its total bitrate × headroom is at most the link's rate.
        public var headroom: Double = 1.2
        /// Step down when the player's backlog exceeds this much media.
        public var stepDownBacklogMillis: UInt32 = 1_500
        /// Backlog at or below this counts as room to spare.
        public var calmBacklogMillis: UInt32 = 500
        /// Step up after this long calm (and this long after the previous change).
        public var stepUpAfter: TimeAmount = .seconds(15)
        /// After a change, no further step down for this long: the switch waits for a keyframe
        /// and the backlog of the old rung still has to drain.
        public var settle: TimeAmount = .seconds(3)
        public init() {}
    }

    public let configuration: Configuration
    /// Rungs, highest first.
    public private(set) var rungs: [Rendition]
    /// The site's per-classroom downlink, when known.
    public let bandwidthKbps: Int?
    /// Index in `rungs` of the chosen rung.
    public private(set) var index: Int
    private var lastChange: NIODeadline
    private var calmSince: NIODeadline?

    /// `rungs` must not be empty.
    public init(rungs: [Rendition], bandwidthKbps: Int?, now: NIODeadline, configuration: Configuration = .init()) {
        precondition(!rungs.isEmpty, "a selector needs at least one rung")
        self.configuration = configuration
        self.rungs = rungs.sorted { $0.totalKbps > $1.totalKbps }
        self.bandwidthKbps = bandwidthKbps
        self.index = 0
        self.lastChange = now
        self.index = bestIndex(fittingKbps: bandwidthKbps)
    }

    /// The chosen rung.
    public var current: Rendition { rungs[index] }

    /// Whether `rung` fits a link of `kbps` (nil: unknown, fits).
    public func fits(_ rung: Rendition, _ kbps: Int?) -> Bool {
        guard let kbps else { return true }
        return Double(rung.totalKbps) * configuration.headroom <= Double(kbps)
    }

    /// The highest rung fitting `kbps`, or the lowest rung when none does.
    public func bestIndex(fittingKbps kbps: Int?) -> Int {
        rungs.firstIndex { fits($0, kbps) } ?? rungs.count - 1
    }

    /// Looks at the player's state; returns the rung to switch to, or nil to stay.
    /// - Parameters:
    ///   - backlogMillis: media waiting for the player inside the relay.
    ///   - throughputKbps: what the connection accepted recently, when measured.
    public mutating func update(now: NIODeadline, backlogMillis: UInt32, throughputKbps: Int?) -> Rendition? {
        if backlogMillis > configuration.stepDownBacklogMillis {
            calmSince = nil
            guard index < rungs.count - 1, now - lastChange >= configuration.settle else { return nil }
            let cap = [bandwidthKbps, throughputKbps].compactMap { $0 }.min()
            return change(to: max(index + 1, bestIndex(fittingKbps: cap)), now: now)
        }
        guard backlogMillis <= configuration.calmBacklogMillis else {
            calmSince = nil
            return nil
        }
        let calm = calmSince ?? now
        calmSince = calm
        guard index > 0, now - calm >= configuration.stepUpAfter, now - lastChange >= configuration.stepUpAfter,
            fits(rungs[index - 1], bandwidthKbps)
        else { return nil }
        return change(to: index - 1, now: now)
    }

    /// `existing` following `rungs` (its list replaced when the transcoder's changed), or a new
    /// selector where there was none.
    public static func following(
        _ existing: RenditionSelector?, rungs: [Rendition], bandwidthKbps: Int?, now: NIODeadline, configuration: Configuration
    ) -> RenditionSelector {
        guard var selector = existing else {
            return RenditionSelector(rungs: rungs, bandwidthKbps: bandwidthKbps, now: now, configuration: configuration)
        }
        if selector.rungs != rungs { selector.replaceRungs(rungs, now: now) }
        return selector
    }

    /// The rung a player now on `playing` should move to, or nil to stay: a change ``update``
    /// decides from the measurement (skipped when there is none), or else the chosen rung when
    /// the player is not on it yet.
    public mutating func target(playing: String?, now: NIODeadline, backlogMillis: UInt32?, throughputKbps: Int?) -> String? {
        var target: String?
        if let backlogMillis { target = update(now: now, backlogMillis: backlogMillis, throughputKbps: throughputKbps)?.name }
        if target == nil, playing != current.name { target = current.name }
        guard let target, target != playing else { return nil }
        return target
    }

    /// Replaces the rung list (a transcoder restarted), keeping the current rung where it still exists.
    public mutating func replaceRungs(_ newRungs: [Rendition], now: NIODeadline) {
        guard !newRungs.isEmpty else { return }
        let name = current.name
        rungs = newRungs.sorted { $0.totalKbps > $1.totalKbps }
        index = rungs.firstIndex { $0.name == name } ?? bestIndex(fittingKbps: bandwidthKbps)
        lastChange = now
    }

    private mutating func change(to newIndex: Int, now: NIODeadline) -> Rendition? {
        guard newIndex != index else { return nil }
        index = newIndex
        lastChange = now
        calmSince = nil
        return rungs[newIndex]
    }
}
