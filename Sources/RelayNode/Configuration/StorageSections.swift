/// `recording:`: recorded classes and how long their files stay.
struct RecordingSection: Decodable {
    var enabled: Bool?
    var keepDays, maxDiskMB: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["enabled", "keepDays", "maxDiskMB"])
        enabled = try s.bool("enabled")
        keepDays = try s.int("keepDays", in: 0...36500)
        maxDiskMB = try s.int("maxDiskMB", in: 0...1_000_000_000)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let enabled { config.recordingEnabled = enabled }
        if let keepDays { config.recordingKeepDays = keepDays }
        if let maxDiskMB { config.recordingMaxDiskMB = maxDiskMB }
    }
}

/// `reports:`: the sessions' facts, how long they stay and how often they are written.
struct ReportsSection: Decodable {
    var enabled: Bool?
    var keepDays, flushSeconds: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["enabled", "keepDays", "flushSeconds"])
        enabled = try s.bool("enabled")
        keepDays = try s.int("keepDays", in: 0...36500)
        flushSeconds = try s.int("flushSeconds", in: 1...30)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let enabled { config.reportsEnabled = enabled }
        if let keepDays { config.reportsKeepDays = keepDays }
        if let flushSeconds { config.reportsFlushSeconds = flushSeconds }
    }
}

/// `log:`: level and format of relayd's log.
struct LogSection: Decodable {
    var level, format: String?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["level", "format"])
        format = try s.string("format")
        if let format, !["text", "json"].contains(format) {
            throw ConfigurationError(key: "log.format", problem: "unknown format '\(format)' (text or json)")
        }
        level = try s.string("level")
        if let level, !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) {
            throw ConfigurationError(key: "log.level", problem: "unknown level '\(level)'")
        }
    }

    func apply(to config: inout RelaydConfiguration) {
        if let level { config.logLevel = level }
        if let format { config.logFormat = format }
    }
}
