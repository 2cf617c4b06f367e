internal import CFFmpeg

/// Controls how much libav* writes to stderr.
///
/// FFmpeg logs through a process-wide callback; a relay usually wants it quiet and
/// reports failures through ``FFmpegError`` instead.
public enum FFmpegLog {
    /// The verbosity levels this wrapper exposes.
    public enum Level: Sendable, Equatable {
        /// Print nothing.
        case quiet
        /// Print errors only.
        case error
        /// Print errors and warnings.
        case warning
    }

    /// Sets the process-wide libav* log level.
    public static func setLevel(_ level: Level) {
        switch level {
        case .quiet: cffmpeg_set_log_level(cffmpeg_AV_LOG_QUIET())
        case .error: cffmpeg_set_log_level(cffmpeg_AV_LOG_ERROR())
        case .warning: cffmpeg_set_log_level(cffmpeg_AV_LOG_WARNING())
        }
    }
}
