import Testing

@testable import Transcode

/// The rungs' keyframes against the source's, at 25 fps (a picture every 40 ms).
@Suite("Rung keyframe cadence")
struct RungKeyframeCadenceTests {
    /// The rung keyframes for source keyframes at `sourceKeys` (ms) over `millis`.
    static func keys(sourceKeys: Set<Int64>, millis: Int64) -> [Int64] {
        var cadence = RungKeyframeCadence(gopMillis: 2000)
        return stride(from: Int64(0), through: millis, by: 40).filter { cadence.isKeyframe(pts: $0, sourceKey: sourceKeys.contains($0)) }
    }

    @Test("a source keyed every 2 s: the same keyframes")
    func followsATwoSecondSource() {
        let source = Set(stride(from: Int64(0), through: 12_000, by: 2000))
        #expect(Self.keys(sourceKeys: source, millis: 12_000) == source.sorted())
    }

    @Test("a browser's WHIP keyframes 2.0–2.9 s apart: the same keyframes, none forced just before one")
    func followsASourceKeyedAlmostEveryTwoSeconds() {
        let source: [Int64] = [0, 2120, 4240, 6960, 9080, 11_200]
        let keys = Self.keys(sourceKeys: Set(source), millis: 11_200)
        // The first gap is forced at 2 s (nothing known of the source's cadence yet); after it,
        // only the source's keyframes.
        #expect(keys == [0, 2000, 2120, 4240, 6960, 9080, 11_200], "\(keys)")
    }

    @Test("a source keyed every 8 s: a rung keyframe every 2 s as well")
    func forcesKeyframesInALongGOP() {
        let keys = Self.keys(sourceKeys: [0, 8000, 16_000], millis: 16_000)
        #expect(keys == stride(from: Int64(0), through: 16_000, by: 2000).map { $0 }, "\(keys)")
    }

    @Test("a source that stops sending keyframes: a rung keyframe 3 s after the last at the latest")
    func forcesKeyframesWhenTheSourceStops() {
        let keys = Self.keys(sourceKeys: [0, 2000, 4000], millis: 14_000)
        #expect(keys.prefix(4) == [0, 2000, 4000, 7000], "\(keys)")
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $1 - $0 <= 3000 }, "\(keys)")
    }

    @Test("timestamps that go back (a new publisher) start a keyframe")
    func keysWhenTimeGoesBack() {
        var cadence = RungKeyframeCadence(gopMillis: 2000)
        let first = cadence.isKeyframe(pts: 5000, sourceKey: true)
        let next = cadence.isKeyframe(pts: 5040, sourceKey: false)
        let back = cadence.isKeyframe(pts: 0, sourceKey: false)
        #expect(first && !next && back)
    }
}
