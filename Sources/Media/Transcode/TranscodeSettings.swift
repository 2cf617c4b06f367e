import RelayCore

/// How a class's lesson is transcoded (config `transcode.*`).
public struct TranscodeSettings: Sendable {
    /// Rungs to produce, highest first; those above the source's size are skipped.
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

    /// The rungs a `width`×`height` source gets, at that source's aspect ratio (even sizes).
    public func rungs(forSourceWidth width: Int, height: Int) -> [Rendition] {
        ladder.filter { $0.height <= height }
            .map { rung in
                var sized = rung
                let scaled = Double(rung.height) * Double(width) / Double(max(height, 1))
                sized.width = max(2, Int((scaled / 2).rounded()) * 2)
                sized.height = rung.height & ~1
                return sized
            }
    }
}
