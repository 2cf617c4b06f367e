/// Measures a publisher's video bitrate for ``LadderFit``, in windows of media time: each from
/// a keyframe to the first keyframe at least ``minimumMillis`` later (whole GOPs), or
/// ``maximumMillis`` long when keyframes are further apart. It reports the first window's
/// rate, then each time a window beats the highest so far: a publisher that starts low and
/// ramps up (a browser's WebRTC encoder) feeds more rungs as it does, and one that dips keeps
/// what it fed. Media time, not the clock: a burst at connect measures the same.
/// Pure; ``reset()`` when the publisher changes.
public struct SourceBitrateMeter: Sendable {
    /// A window ends at the first keyframe this far from its start.
    public var minimumMillis: UInt32
    /// A window ends after this much media even without a keyframe.
    public var maximumMillis: UInt32
    private var start: UInt32?
    private var bytes = 0
    /// The highest rate a window measured since the last reset (nil until the first window ends).
    public private(set) var kbps: Int?

    /// Windows of two seconds of whole GOPs: an encoder's first GOP is often short of its rate
    /// (x264 starts with its VBV buffer nearly full), so one second under-measures a source
    /// with 1-second GOPs.
    public init(minimumMillis: UInt32 = 2_000, maximumMillis: UInt32 = 3_000) {
        self.minimumMillis = minimumMillis
        self.maximumMillis = maximumMillis
    }

    /// Counts one coded video frame of `size` bytes. Returns the rate (kbit/s) when this frame
    /// ends a window that measured more than any before it (the first window always); nil otherwise.
    public mutating func add(size: Int, timestamp: UInt32, keyframe: Bool) -> Int? {
        guard let start, timestamp >= start else {
            // A keyframe starts a window (again if time went backwards).
            self.start = keyframe ? timestamp : nil
            bytes = keyframe ? size : 0
            return nil
        }
        let span = timestamp - start
        guard (keyframe && span >= minimumMillis) || span >= maximumMillis else {
            bytes += size
            return nil
        }
        let rate = Int((Double(bytes) * 8 / Double(span)).rounded())  // bits per millisecond = kbit/s
        // The next window starts at this frame when it is a keyframe, else at the next one.
        self.start = keyframe ? timestamp : nil
        bytes = keyframe ? size : 0
        guard rate > kbps ?? -1 else { return nil }
        kbps = rate
        return rate
    }

    /// Forgets the measurement (a new publisher).
    public mutating func reset() {
        start = nil
        bytes = 0
        kbps = nil
    }
}
