import RelayCore

/// How a class's lesson is transcoded (config `transcode.*`).
public struct TranscodeSettings: Sendable {
    /// Rungs to produce, highest first; those the source cannot feed (taller, or above 80 % of
    /// its measured video bitrate: ``LadderFit``) are not made.
    public var ladder: [Rendition]
    /// x264 preset and tune.
    public var preset: String
    public var tune: String
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
        gopSeconds: Double = 2, maxQueuedFrames: Int = 45, transcodesReturnFeeds: Bool = false
    ) {
        self.transcodesReturnFeeds = transcodesReturnFeeds
        self.ladder = ladder
        self.preset = preset
        self.tune = tune
        self.gopSeconds = gopSeconds
        self.maxQueuedFrames = maxQueuedFrames
    }

    /// The rungs no taller than a `width`×`height` source, at its aspect ratio (even sizes).
    public func rungs(forSourceWidth width: Int, height: Int) -> [Rendition] {
        LadderFit.sized(ladder, width: width, height: height)
    }

    /// The rungs a `width`×`height` source measured at `videoKbps` can feed (``LadderFit``).
    public func rungs(forSourceWidth width: Int, height: Int, videoKbps: Int) -> [Rendition] {
        LadderFit.rungs(of: ladder, width: width, height: height, videoKbps: videoKbps)
    }
}
