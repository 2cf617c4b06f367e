import Foundation
import Logging

/// What relayd's flags set, each nil when the flag is absent: they win over the config file.
package struct ConfigurationOverrides: Sendable {
    package var dataDir: String?
    package var host: String?
    package var rtmpPort: Int?
    package var srtPort: Int?
    package var httpPort: Int?
    package var webrtcPort: Int?
    package var database: String?
    package var logLevel: String?

    package init() {}
}

extension RelaydConfiguration {
    /// The defaults, then the config file (`file`, or `configs/relayd.yaml` when it exists), then
    /// the flags; every problem one line naming its key or flag.
    package static func resolve(file: String?, overrides: ConfigurationOverrides) throws(ConfigurationError) -> RelaydConfiguration {
        var configuration = RelaydConfiguration()
        let path = file ?? (FileManager.default.fileExists(atPath: "configs/relayd.yaml") ? "configs/relayd.yaml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(key: "", problem: "cannot read config file \(path)")
            }
            do {
                try configuration.apply(yaml: text)
            } catch {
                throw ConfigurationError(key: error.key, problem: "\(error.problem) (in \(path))")
            }
        }
        try configuration.apply(overrides)
        return configuration
    }

    /// Sets what the flags set, checking ports, the log level and the database URL.
    package mutating func apply(_ overrides: ConfigurationOverrides) throws(ConfigurationError) {
        if let dataDir = overrides.dataDir { self.dataDir = dataDir }
        if let host = overrides.host { self.host = host }
        if let port = overrides.rtmpPort { rtmpPort = try Self.checkPort(port, "--rtmp-port") }
        if let port = overrides.srtPort { srtPort = try Self.checkPort(port, "--srt-port") }
        if let port = overrides.httpPort { httpPort = try Self.checkPort(port, "--http-port") }
        if let port = overrides.webrtcPort {
            // One number for both, as the defaults have it (ICE-TCP stays off where the config turned it off).
            webrtcPort = try Self.checkPort(port, "--webrtc-port")
            webrtcTCPPort = webrtcTCPPort.map { _ in port }
        }
        if let database = overrides.database { self.database = database }
        if let level = overrides.logLevel {
            guard Logger.Level(rawValue: level) != nil else {
                throw ConfigurationError(key: "--log-level", problem: "unknown level '\(level)'")
            }
            logLevel = level
        }
        guard databaseURL.hasPrefix("sqlite:") || databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://") else {
            throw ConfigurationError(key: "database", problem: "must be sqlite:PATH or postgres://..., got '\(databaseURL)'")
        }
    }

    static func checkPort(_ port: Int, _ flag: String) throws(ConfigurationError) -> Int {
        guard (0...65535).contains(port) else {
            throw ConfigurationError(key: flag, problem: "must be between 0 and 65535, got \(port)")
        }
        return port
    }
}
