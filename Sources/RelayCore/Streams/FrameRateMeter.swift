/// A video stream's frame rate measured from its timestamps, for publishers whose metadata does
/// not say (ffmpeg's lavfi sources over RTMP, MPEG-TS over SRT): frames per second of media time
/// over windows of at least two seconds, rounded to 0.01.
struct FrameRateMeter: Sendable {
    static let windowMillis: UInt32 = 2_000
    /// A jump this large (a publisher's clock restart, a timestamp going back) starts a new window.
    static let maximumWindowMillis: UInt32 = 60_000
    private var windowStart: UInt32?
    private var frames = 0
    private(set) var framesPerSecond: Double?

    /// Counts one video frame (not a sequence header) at `timestamp` (milliseconds, decode order).
    mutating func record(timestamp: UInt32) {
        guard let start = windowStart else {
            windowStart = timestamp
            return
        }
        let elapsed = timestamp &- start
        guard elapsed <= Self.maximumWindowMillis else {
            windowStart = timestamp
            frames = 0
            return
        }
        frames += 1
        if elapsed >= Self.windowMillis {
            framesPerSecond = (Double(frames) * 1000 / Double(elapsed) * 100).rounded() / 100
            windowStart = timestamp
            frames = 0
        }
    }
}
