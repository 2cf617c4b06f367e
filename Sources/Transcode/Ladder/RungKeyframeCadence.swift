/// Where the rungs' keyframes go: at every keyframe of the source, and where the source leaves a
/// longer gap, at `gopMillis` after the last one. A source whose keyframes come about as often
/// (at most `followMillis`, 1.5 × `gopMillis`, apart: a browser's WHIP encoder, asked every 2 s, answers
/// 2.0–2.9 s apart) sets them alone, up to that longer limit: a rung keyframe forced at 2.0 s,
/// 100 ms before the source's, would put every rung's segments and parts at other pictures than
/// the source's, and a player could never switch between the source and a rung (HLS variants
/// switch at a keyframe that starts a part in both).
struct RungKeyframeCadence {
    let gopMillis: Int64
    let followMillis: Int64
    private var lastKey: Int64?
    private var lastSourceKey: Int64?
    /// The source's last keyframe interval, once it had two keyframes.
    private var sourceInterval: Int64?

    init(gopMillis: Int64) {
        self.gopMillis = gopMillis
        self.followMillis = gopMillis * 3 / 2
    }

    /// The longest gap between rung keyframes now.
    var limitMillis: Int64 {
        guard let sourceInterval, sourceInterval <= followMillis else { return gopMillis }
        return followMillis
    }

    /// Whether the picture at `pts` is a rung keyframe, `sourceKey` when it is one of the source's.
    mutating func isKeyframe(pts: Int64, sourceKey: Bool) -> Bool {
        if sourceKey {
            if let lastSourceKey, pts > lastSourceKey { sourceInterval = pts - lastSourceKey }
            lastSourceKey = pts
        }
        let key = sourceKey || lastKey.map { pts - $0 >= limitMillis || pts < $0 } ?? true
        if key { lastKey = pts }
        return key
    }
}
