#if canImport(Glibc)
    import Glibc
#endif

/// What both pushers (a demuxed input, the generated test source) share: the monotonic clock,
/// an interruptible sleep, and progress accounting with rates over the last report interval.
struct PushMeter {
    let startTime = PushMeter.now()
    var progress = PushProgress()
    /// Bytes written since the last report (the pusher adds to it).
    var bytesSinceReport = 0
    private var lastReport = PushMeter.now()
    private var framesAtReport = 0

    /// Reports about twice a second, or now when `force`.
    mutating func emit(_ report: (PushProgress) -> Void, force: Bool) {
        let now = Self.now()
        let interval = now - lastReport
        guard force || interval >= 0.5 else { return }
        if interval > 0.05 {
            progress.fps = Double(progress.framesSent - framesAtReport) / interval
            progress.kbps = Double(bytesSinceReport) * 8 / 1000 / interval
            framesAtReport = progress.framesSent
            bytesSinceReport = 0
            lastReport = now
        }
        progress.elapsedSeconds = now - startTime
        report(progress)
    }

    /// Calls `open` with exponential backoff (0.5 s doubling up to `maxBackoff`), reporting
    /// progress before each try, until it returns an output or the push is stopped.
    mutating func reconnect<Output>(
        report: (PushProgress) -> Void, stop: PushStopSignal, maxBackoff: Double, open: () -> Output?
    ) -> Output? {
        progress.reconnecting = true
        defer { progress.reconnecting = false }
        var delay = 0.5
        while !stop.isStopped {
            emit(report, force: true)
            Self.sleep(seconds: delay, unless: stop)
            if stop.isStopped { break }
            _ = FFmpegLogCapture.drain()
            if let reopened = open() {
                progress.reconnects += 1
                return reopened
            }
            delay = min(delay * 2, maxBackoff)
        }
        return nil
    }

    /// Monotonic seconds.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1_000_000_000
    }

    /// Sleeps `seconds` in steps of at most 100 ms, returning early once `stop` is set.
    static func sleep(seconds: Double, unless stop: PushStopSignal) {
        let end = now() + seconds
        while !stop.isStopped {
            let left = end - now()
            if left <= 0 { return }
            usleep(UInt32(min(left, 0.1) * 1_000_000))
        }
    }
}
