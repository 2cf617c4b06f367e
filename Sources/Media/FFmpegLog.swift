internal import CFFmpeg

/// Controls how much libav* writes to stderr.
///
/// FFmpeg logs through a process-wide callback; a relay usually wants it quiet and
/// reports failures through ``FFmpegError`` instead.
public enum FFmpegLog {
    /// The verbosity levels this wrapper exposes (relayd keeps libav* quiet; errors reach it
    /// as ``FFmpegError``s and, where a log is wanted, through `FFmpegLogCapture`).
    public enum Level: Sendable, Equatable {
        /// Print nothing.
        case quiet
    }

    /// Sets the process-wide libav* log level.
    public static func setLevel(_ level: Level) {
        switch level {
        case .quiet: cffmpeg_set_log_level(cffmpeg_AV_LOG_QUIET())
        }
    }
}
