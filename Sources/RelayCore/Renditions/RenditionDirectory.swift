import NIOConcurrencyHelpers

/// Which rungs are being produced for which source stream, and at what size: filled by the
/// transcoders, read by players choosing a rung and by the live view.
public final class RenditionDirectory: Sendable {
    /// The configured ladder's rung names (a stream name ending in `_<name>` pins that rung).
    public let ladderNames: Set<String>
    /// Keyframes players asked of the transcoder per rung stream (rate-limited).
    public let keyframeRequests = KeyframeRequests()
    /// Per source with a transcoder: the rungs made, highest first (nil until first decided).
    private let rungs = NIOLockedValueBox<[StreamKey: (renditions: [Rendition]?, owner: ObjectIdentifier?)]>([:])
    private let totals = NIOLockedValueBox(Counters())
    /// Sources whose class's program is on the air (``RenditionDirectory/setProgramOnAir(_:for:)``).
    let programsOnAir = NIOLockedValueBox<Set<StreamKey>>([])
    private let observer: @Sendable (Event) -> Void

    public enum SwitchDirection: String, Sendable { case up, down }

    /// What metrics count.
    public enum Event: Sendable {
        case switched(SwitchDirection)
        /// Source video frames dropped before decoding because a transcoder fell behind, and
        /// damaged frames skipped (decoding resumed at the next keyframe).
        case transcodeLosses(dropped: Int, decodeErrors: Int)
    }

    /// Totals since start.
    public struct Counters: Sendable {
        public var switchesUp = 0
        public var switchesDown = 0
        public var framesDropped = 0
        public var decodeErrors = 0
    }

    public init(ladderNames: Set<String> = [], observer: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.ladderNames = ladderNames
        self.observer = observer
    }

    /// Records the rungs produced for `source`, highest first (empty: decided, none fits the
    /// source). `owner` (the transcoder) is the only one whose ``withdraw(_:owner:)`` removes them.
    public func publish(_ renditions: [Rendition], for source: StreamKey, owner: ObjectIdentifier? = nil) {
        let sorted = renditions.sorted { $0.totalKbps > $1.totalKbps }
        rungs.withLockedValue { $0[source] = (sorted, owner) }
    }

    /// A transcoder started for `source`: its rungs are decided once its bitrate is measured.
    public func startDeciding(_ source: StreamKey, owner: ObjectIdentifier? = nil) {
        rungs.withLockedValue { $0[source] = (nil, owner) }
    }

    /// True while `source`'s transcoder has not yet decided which rungs it makes (its first
    /// seconds of media).
    public func isDeciding(_ source: StreamKey) -> Bool {
        rungs.withLockedValue { map in map[source].map { $0.renditions == nil } ?? false }
    }

    /// The source's transcoder stopped (a newer transcoder's rungs stay).
    public func withdraw(_ source: StreamKey, owner: ObjectIdentifier? = nil) {
        rungs.withLockedValue { map in
            if map[source]?.owner == owner { map[source] = nil }
        }
    }

    /// The rungs currently produced for `source`, highest first (empty: none, or not decided yet).
    public func renditions(for source: StreamKey) -> [Rendition] {
        rungs.withLockedValue { $0[source]?.renditions ?? [] }
    }

    /// The stream a player pinned to `rendition` of `source` plays: the rung's stream, or the
    /// source itself once its transcoder decided the source cannot feed that rung (``LadderFit``).
    /// Before the decision, the rung's stream (its transcoder passes the source through it if
    /// the rung is then not made).
    public func playedKey(source: StreamKey, rendition: String) -> StreamKey {
        let made = rungs.withLockedValue { $0[source]?.renditions }
        if let made, !made.contains(where: { $0.name == rendition }) { return source }
        return Rendition.playedKey(source: source, rendition: rendition)
    }

    public var counters: Counters { totals.withLockedValue { $0 } }

    /// Counts one adaptive player's rung switch of `source` (requested) from `old` to `new`
    /// (rung names, or `source`: leaving the source is up); returns its direction.
    @discardableResult
    public func countSwitch(of source: StreamKey, from old: String, to new: String) -> SwitchDirection {
        let rungs = renditions(for: source)
        let rank = { (name: String) in rungs.firstIndex { $0.name == name } ?? -1 }
        let direction: SwitchDirection = old == "source" || rank(new) < rank(old) ? .up : .down
        totals.withLockedValue { direction == .up ? ($0.switchesUp += 1) : ($0.switchesDown += 1) }
        observer(.switched(direction))
        return direction
    }

    /// Adds a transcoder's dropped frames and decoding errors.
    public func countTranscodeLosses(dropped: Int, decodeErrors: Int) {
        totals.withLockedValue {
            $0.framesDropped += dropped
            $0.decodeErrors += decodeErrors
        }
        observer(.transcodeLosses(dropped: dropped, decodeErrors: decodeErrors))
    }

    /// True when `key` names a rung stream (`<source>_<rung>`, or the program's `<source>_program`)
    /// rather than a source.
    public func isRenditionStream(_ key: StreamKey) -> Bool {
        guard let underscore = key.name.lastIndex(of: "_") else { return false }
        let suffix = String(key.name[key.name.index(after: underscore)...])
        return ladderNames.contains(suffix) || suffix == Rendition.programName
    }
}
