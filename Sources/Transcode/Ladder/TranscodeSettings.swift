public import RelayCore

/// How a class's lesson is transcoded (config `transcode.*`).
public struct TranscodeSettings: Sendable {
    /// Rungs to produce, highest first; those the source cannot feed (taller, or above 80 % of
    /// its measured video bitrate: ``LadderFit``) are not made.
    public var ladder: [Rendition]
    /// x264 preset and tune.
    public var preset: String
    public var tune: String
    /// x264 presets of single rungs (by name) where they differ from ``preset``
    /// (`transcode.rungPresets`; docs/benchmarks.md: superfast for 480p/360p).
    public var rungPresets: [String: String]
    /// Whether a rung as tall as the source is left to the source (not encoded: its sites get
    /// the source as published, at the source's bitrate, like any rung not made). Off by default:
    /// that rung then carries more than its `videoKbps`. It saves the ladder's dearest encode
    /// (docs/benchmarks.md: about 40 % of a 720p class's CPU).
    public var sourceServesItsSize: Bool
    /// x264 threads per rung encoder (0: x264 decides: sliced threads under zerolatency);
    /// TranscodeBench's lever, not a config key.
    public var encoderThreads: Int
    /// Time between keyframes of the rungs where the source's are further apart; the rungs also
    /// follow the source's, and alone (up to 1.5 × this) when it has them about as often
    /// (``RungKeyframeCadence``).
    public var gopSeconds: Double
    /// Source video frames the transcoder may fall behind before it drops to the next keyframe.
    public var maxQueuedFrames: Int
    /// Whether sites' return feeds (`live/<classId>~<siteId>`) get the ladder too; off by
    /// default, as a central school usually watches its sites on a good link.
    public var transcodesReturnFeeds: Bool

    public init(
        ladder: [Rendition] = Rendition.defaultLadder, preset: String = "veryfast", tune: String = "zerolatency",
        gopSeconds: Double = 2, maxQueuedFrames: Int = 45, transcodesReturnFeeds: Bool = false,
        rungPresets: [String: String] = [:], encoderThreads: Int = 0, sourceServesItsSize: Bool = false
    ) {
        self.sourceServesItsSize = sourceServesItsSize
        self.rungPresets = rungPresets
        self.encoderThreads = encoderThreads
        self.transcodesReturnFeeds = transcodesReturnFeeds
        self.ladder = ladder
        self.preset = preset
        self.tune = tune
        self.gopSeconds = gopSeconds
        self.maxQueuedFrames = maxQueuedFrames
    }

    /// The x264 preset of `rung`.
    public func preset(of rung: Rendition) -> String { rungPresets[rung.name] ?? preset }

    /// The rungs no taller than a `width`×`height` source, at its aspect ratio (even sizes).
    public func rungs(forSourceWidth width: Int, height: Int) -> [Rendition] {
        LadderFit.sized(ladder, width: width, height: height)
    }

    /// The rungs a `width`×`height` source measured at `videoKbps` can feed (``LadderFit``).
    public func rungs(forSourceWidth width: Int, height: Int, videoKbps: Int) -> [Rendition] {
        LadderFit.rungs(of: ladder, width: width, height: height, videoKbps: videoKbps)
            .filter { !sourceServesItsSize || $0.height < height & ~1 }
    }
}
