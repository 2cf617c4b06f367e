/// Which rungs of a ladder a source can feed (the contract's "The ladder fits the source"): a
/// rung is made only when its height is at most the source's and its video bitrate at most
/// ``bitrateShare`` of the source's measured video bitrate. Rungs are sized at the source's
/// aspect ratio (even sizes). Pure.
public enum LadderFit {
    /// The share of the source's measured video bitrate a rung may take.
    public static let bitrateShare = 0.8

    /// `ladder`'s rungs a `width`×`height` source at `videoKbps` (measured) feeds, in ladder order.
    public static func rungs(of ladder: [Rendition], width: Int, height: Int, videoKbps: Int) -> [Rendition] {
        sized(ladder, width: width, height: height)
            .filter { Double($0.videoKbps) <= bitrateShare * Double(videoKbps) }
    }

    /// `ladder`'s rungs no taller than a `width`×`height` source, at its aspect ratio (even sizes).
    public static func sized(_ ladder: [Rendition], width: Int, height: Int) -> [Rendition] {
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
