import Cluster
import Foundation
import NIOCore
import RelayCore
import Yams

/// Everything relayd is configured with: built-in defaults, overridden by the config file,
/// overridden by flags.
struct RelaydConfiguration: Sendable {
    enum AuthMode: String, Sendable { case timetable, open }

    /// A ladder rung as configured: the relay's own `Rendition`.
    typealias Rung = Rendition

    var host = "0.0.0.0"
    var dataDir = "./var"
    var database: String?
    var rtmpPort = 1935
    var rtmpChunkSize = 60_000
    var rtmpFlushIntervalMs = 30
    var rtmpHandshakeTimeoutSeconds = 10
    var rtmpIdleTimeoutSeconds = 30
    var srtPort = 10080
    var srtLatencyMs = 200
    var srtPassphrase: String?
    /// AES key length in bytes (16, 24 or 32) when `srt.passphrase` is set.
    var srtPbkeylen = 16
    /// SRTO_MAXBW in bytes per second (-1 unlimited, 0 relative to the input rate); nil = libsrt's default.
    var srtMaxBandwidth: Int?
    var httpPort = 8080
    /// A request head must be complete this long after the connection opened (its TLS handshake
    /// included) or after the next request's first byte.
    var httpHeaderTimeoutSeconds = 10
    /// A keep-alive connection silent this long between requests is closed.
    var httpIdleTimeoutSeconds = 30
    var webrtcPort = 8189
    var webrtcTCPPort: Int? = 8189
    var webrtcPublicAddresses: [String] = []
    var authMode = AuthMode.timetable
    var authWindowMinutes = 15
    var publisherGraceSeconds = 30
    /// This node's id among the relays sharing the database (`cluster.nodeId`; default the host name).
    var clusterNodeID: String?
    /// How the other nodes reach this one (`cluster.advertiseHost`; default `host`, or 127.0.0.1 for all addresses).
    var clusterAdvertiseHost: String?
    /// Higher-level services to pull lessons from that no node here has (`cluster.upstream`).
    var clusterUpstreams: [PullOrigin] = []
    /// Pull from the other nodes over RTMPS (`cluster.tls`), trusting `cluster.tlsCAFile`.
    var clusterTLS = ClusterTLS()
    /// Classes with `record` set are recorded under `<dataDir>/recordings`.
    var recordingEnabled = true
    /// Finished recordings older than this are removed (0: never by age).
    var recordingKeepDays = 30
    /// The recordings together stay under this many MiB, the oldest finished removed first (0: no limit).
    var recordingMaxDiskMB = 0
    /// The reports' facts (sessions) are recorded (`reports.enabled`).
    var reportsEnabled = true
    /// Facts of sessions last seen longer ago than this are removed (`reports.keepDays`; 0: kept).
    var reportsKeepDays = 730
    /// Open sessions are written at least this often: what a crash may lose (`reports.flushSeconds`).
    var reportsFlushSeconds = 30
    var playerMaxBacklogMs = 4_000
    var playerStallTimeoutSeconds = 20
    /// A site's downlink when the access policy does not know it (auth.mode open); nil: adaptive
    /// players with an unknown link play the source.
    var playerDefaultBandwidthKbps: Int?
    var playerStepDownBacklogMs = 1_500
    var playerStepUpSeconds = 15
    var transcodeEnabled = true
    var transcodePreset = "veryfast"
    var transcodeTune = "zerolatency"
    var transcodeGopSeconds = 2
    var transcodeReturnFeeds = false
    var transcodeSourceServesItsSize = false
    var transcodeRungPresets: [String: String] = [:]
    var transcodeLadder: [Rung] = Rendition.defaultLadder
    var limits = Limits()
    var tls = TLS()
    /// The patrol session cookie's `Secure` (`http.secureCookies`); nil: when `http.tls` is on.
    var httpSecureCookies: Bool?
    var logLevel = "info"
    /// `text` (the `swift-log` stream format) or `json` (one object per line).
    var logFormat = "text"
    /// Weekly recurrences repeat on local days in this zone; the CLI shows times in it.
    var timeZone = "Asia/Shanghai"

    /// The database URL, defaulting to SQLite in the data directory.
    var databaseURL: String { database ?? "sqlite:\(dataDir)/relay.db" }
}

/// A configuration problem, reported as one line naming the key.
struct ConfigurationError: Error, CustomStringConvertible {
    let key: String
    let problem: String
    var description: String { key.isEmpty ? problem : "key '\(key)': \(problem)" }
}

extension RelaydConfiguration {
    /// Applies a YAML config file on top of `self`.
    mutating func apply(yaml text: String) throws(ConfigurationError) {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ConfigurationError(key: "", problem: "not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let root else { return }  // empty file
        let reader = ConfigReader(root: root)
        try reader.read(into: &self)
    }
}

/// Walks the YAML tree, accepting only the keys it knows.
struct ConfigReader {
    let root: Any

    func read(into config: inout RelaydConfiguration) throws(ConfigurationError) {
        let top = try table(root, at: "")
        try expectOnly(["host", "dataDir", "database", "timeZone", "rtmp", "srt", "http", "auth", "publisher", "player", "transcode", "log", "limits", "tls", "rtmps", "webrtc", "recording", "cluster", "reports"], in: top, at: "")
        if let v = top["host"] { config.host = try string(v, at: "host") }
        if let v = top["dataDir"] { config.dataDir = try string(v, at: "dataDir") }
        if let v = top["database"] { config.database = try string(v, at: "database") }
        if let v = top["timeZone"] {
            let zone = try string(v, at: "timeZone")
            guard TimeZone(identifier: zone) != nil else {
                throw ConfigurationError(key: "timeZone", problem: "unknown time zone '\(zone)' (e.g. Asia/Shanghai)")
            }
            config.timeZone = zone
        }
        if let rtmp = try section(top, "rtmp", keys: ["port", "chunkSize", "flushIntervalMs", "handshakeTimeoutSeconds", "idleTimeoutSeconds"]) {
            if let v = rtmp["port"] { config.rtmpPort = try port(v, at: "rtmp.port") }
            if let v = rtmp["chunkSize"] { config.rtmpChunkSize = try int(v, at: "rtmp.chunkSize", in: 128...0xFF_FFFF) }
            if let v = rtmp["flushIntervalMs"] { config.rtmpFlushIntervalMs = try int(v, at: "rtmp.flushIntervalMs", in: 0...1000) }
            if let v = rtmp["handshakeTimeoutSeconds"] {
                config.rtmpHandshakeTimeoutSeconds = try int(v, at: "rtmp.handshakeTimeoutSeconds", in: 1...300)
            }
            if let v = rtmp["idleTimeoutSeconds"] { config.rtmpIdleTimeoutSeconds = try int(v, at: "rtmp.idleTimeoutSeconds", in: 1...3600) }
        }
        if let srt = try section(top, "srt", keys: ["port", "latencyMs", "passphrase", "pbkeylen", "maxBandwidth"]) {
            if let v = srt["port"] { config.srtPort = try port(v, at: "srt.port") }
            if let v = srt["latencyMs"] { config.srtLatencyMs = try int(v, at: "srt.latencyMs", in: 0...60_000) }
            if let v = srt["passphrase"] {
                let p = try string(v, at: "srt.passphrase")
                guard p.isEmpty || (10...79).contains(p.count) else {
                    throw ConfigurationError(key: "srt.passphrase", problem: "must be 10 to 79 characters")
                }
                config.srtPassphrase = p.isEmpty ? nil : p
            }
            if let v = srt["pbkeylen"] {
                let n = try int(v, at: "srt.pbkeylen", in: 16...32)
                guard [16, 24, 32].contains(n) else {
                    throw ConfigurationError(key: "srt.pbkeylen", problem: "must be 16, 24 or 32, got \(n)")
                }
                config.srtPbkeylen = n
            }
            if let v = srt["maxBandwidth"] { config.srtMaxBandwidth = try int(v, at: "srt.maxBandwidth", in: -1...10_000_000_000) }
        }
        if let http = try section(top, "http", keys: ["port", "tls", "secureCookies", "headerTimeoutSeconds", "idleTimeoutSeconds"]) {
            if let v = http["port"] { config.httpPort = try port(v, at: "http.port") }
            if let v = http["tls"] { config.tls.http = try bool(v, at: "http.tls") }
            if let v = http["secureCookies"] { config.httpSecureCookies = try bool(v, at: "http.secureCookies") }
            if let v = http["headerTimeoutSeconds"] { config.httpHeaderTimeoutSeconds = try int(v, at: "http.headerTimeoutSeconds", in: 1...300) }
            if let v = http["idleTimeoutSeconds"] { config.httpIdleTimeoutSeconds = try int(v, at: "http.idleTimeoutSeconds", in: 1...3600) }
        }
        if let webrtc = try section(top, "webrtc", keys: ["port", "tcpPort", "publicAddresses"]) {
            if let v = webrtc["port"] { config.webrtcPort = try port(v, at: "webrtc.port") }
            if let v = webrtc["tcpPort"] {
                // `tcpPort: off` (or false) turns ICE-TCP off.
                if (v as? String) == "off" || (v as? Bool) == false {
                    config.webrtcTCPPort = nil
                } else {
                    config.webrtcTCPPort = try port(v, at: "webrtc.tcpPort")
                }
            }
            if let v = webrtc["publicAddresses"] {
                guard let list = v as? [Any] else {
                    throw ConfigurationError(key: "webrtc.publicAddresses", problem: "must be a list of IP addresses")
                }
                config.webrtcPublicAddresses = try list.enumerated().map { index, item throws(ConfigurationError) in
                    let address = try string(item, at: "webrtc.publicAddresses[\(index)]")
                    guard (try? SocketAddress(ipAddress: address, port: 0)) != nil else {
                        throw ConfigurationError(key: "webrtc.publicAddresses[\(index)]", problem: "'\(address)' is not an IP address")
                    }
                    return address
                }
            }
        }
        if let auth = try section(top, "auth", keys: ["mode", "windowMinutes"]) {
            if let v = auth["mode"] {
                let raw = try string(v, at: "auth.mode")
                guard let mode = RelaydConfiguration.AuthMode(rawValue: raw) else {
                    throw ConfigurationError(key: "auth.mode", problem: "must be 'timetable' or 'open', got '\(raw)'")
                }
                config.authMode = mode
            }
            if let v = auth["windowMinutes"] { config.authWindowMinutes = try int(v, at: "auth.windowMinutes", in: 0...1440) }
        }
        if let cluster = try section(top, "cluster", keys: ["nodeId", "advertiseHost", "upstream", "tls", "tlsCAFile"]) {
            if let v = cluster["tls"] { config.clusterTLS.enabled = try bool(v, at: "cluster.tls") }
            if let v = cluster["tlsCAFile"] { config.clusterTLS.caFile = try string(v, at: "cluster.tlsCAFile") }
            if let v = cluster["upstream"] {
                guard let list = v as? [Any] else {
                    throw ConfigurationError(key: "cluster.upstream", problem: "must be a list of rtmp://host[:port]/app[?key=K] URLs")
                }
                config.clusterUpstreams = try list.enumerated().map { index, item throws(ConfigurationError) in
                    let url = try string(item, at: "cluster.upstream[\(index)]")
                    guard let upstream = PullOrigin(url) else {
                        // The URL may carry a key: say what is wrong without repeating it.
                        throw ConfigurationError(key: "cluster.upstream[\(index)]", problem: "must be rtmp://host[:port]/app[?key=K]")
                    }
                    return upstream
                }
            }
            if let v = cluster["nodeId"] {
                let id = try string(v, at: "cluster.nodeId")
                guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }) else {
                    throw ConfigurationError(key: "cluster.nodeId", problem: "must be 1 to 64 letters, digits, dots or dashes, got '\(id.prefix(80))'")
                }
                config.clusterNodeID = id
            }
            if let v = cluster["advertiseHost"] {
                let host = try string(v, at: "cluster.advertiseHost")
                guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else {
                    throw ConfigurationError(key: "cluster.advertiseHost", problem: "must be a host name or address, got '\(host.prefix(80))'")
                }
                config.clusterAdvertiseHost = host
            }
        }
        if let recording = try section(top, "recording", keys: ["enabled", "keepDays", "maxDiskMB"]) {
            if let v = recording["enabled"] { config.recordingEnabled = try bool(v, at: "recording.enabled") }
            if let v = recording["keepDays"] { config.recordingKeepDays = try int(v, at: "recording.keepDays", in: 0...36500) }
            if let v = recording["maxDiskMB"] { config.recordingMaxDiskMB = try int(v, at: "recording.maxDiskMB", in: 0...1_000_000_000) }
        }
        if let reports = try section(top, "reports", keys: ["enabled", "keepDays", "flushSeconds"]) {
            if let v = reports["enabled"] { config.reportsEnabled = try bool(v, at: "reports.enabled") }
            if let v = reports["keepDays"] { config.reportsKeepDays = try int(v, at: "reports.keepDays", in: 0...36500) }
            if let v = reports["flushSeconds"] { config.reportsFlushSeconds = try int(v, at: "reports.flushSeconds", in: 1...30) }
        }
        if let publisher = try section(top, "publisher", keys: ["graceSeconds"]) {
            if let v = publisher["graceSeconds"] { config.publisherGraceSeconds = try int(v, at: "publisher.graceSeconds", in: 0...3600) }
        }
        if let player = try section(
            top, "player", keys: ["maxBacklogMs", "stallTimeoutSeconds", "defaultBandwidthKbps", "stepDownBacklogMs", "stepUpSeconds"]
        ) {
            if let v = player["defaultBandwidthKbps"] {
                config.playerDefaultBandwidthKbps = try int(v, at: "player.defaultBandwidthKbps", in: 50...10_000_000)
            }
            if let v = player["stepDownBacklogMs"] { config.playerStepDownBacklogMs = try int(v, at: "player.stepDownBacklogMs", in: 100...60_000) }
            if let v = player["stepUpSeconds"] { config.playerStepUpSeconds = try int(v, at: "player.stepUpSeconds", in: 1...3600) }
            if let v = player["maxBacklogMs"] { config.playerMaxBacklogMs = try int(v, at: "player.maxBacklogMs", in: 100...60_000) }
            if let v = player["stallTimeoutSeconds"] { config.playerStallTimeoutSeconds = try int(v, at: "player.stallTimeoutSeconds", in: 1...3600) }
        }
        if let transcode = try section(top, "transcode", keys: ["enabled", "ladder", "preset", "tune", "gopSeconds", "returnFeeds", "sourceServesItsSize", "rungPresets"]) {
            if let v = transcode["enabled"] { config.transcodeEnabled = try bool(v, at: "transcode.enabled") }
            if let v = transcode["ladder"] { config.transcodeLadder = try ladder(v) }
            let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
            if let v = transcode["preset"] {
                let preset = try string(v, at: "transcode.preset")
                guard presets.contains(preset) else {
                    throw ConfigurationError(key: "transcode.preset", problem: "must be one of \(presets.joined(separator: ", ")), got '\(preset)'")
                }
                config.transcodePreset = preset
            }
            if let v = transcode["rungPresets"] {
                for (rung, value) in try table(v, at: "transcode.rungPresets") {
                    let at = "transcode.rungPresets.\(rung)"
                    let preset = try string(value, at: at)
                    guard presets.contains(preset) else {
                        throw ConfigurationError(key: at, problem: "must be one of \(presets.joined(separator: ", ")), got '\(preset)'")
                    }
                    config.transcodeRungPresets[rung] = preset
                }
            }
            if let v = transcode["tune"] {
                let tune = try string(v, at: "transcode.tune")
                let tunes = ["", "zerolatency", "film", "animation", "grain", "stillimage", "psnr", "ssim", "fastdecode"]
                guard tunes.contains(tune) else {
                    throw ConfigurationError(key: "transcode.tune", problem: "must be one of \(tunes.dropFirst().joined(separator: ", ")), got '\(tune)'")
                }
                config.transcodeTune = tune
            }
            if let v = transcode["gopSeconds"] { config.transcodeGopSeconds = try int(v, at: "transcode.gopSeconds", in: 1...10) }
            if let v = transcode["returnFeeds"] { config.transcodeReturnFeeds = try bool(v, at: "transcode.returnFeeds") }
            if let v = transcode["sourceServesItsSize"] { config.transcodeSourceServesItsSize = try bool(v, at: "transcode.sourceServesItsSize") }
        }
        if let limits = try section(top, "limits", keys: RelaydConfiguration.Limits.keys) {
            try readLimits(limits, into: &config.limits)
        }
        try readTLS(top, into: &config)
        if let log = try section(top, "log", keys: ["level", "format"]) {
            if let v = log["format"] {
                let format = try string(v, at: "log.format")
                guard ["text", "json"].contains(format) else {
                    throw ConfigurationError(key: "log.format", problem: "unknown format '\(format)' (text or json)")
                }
                config.logFormat = format
            }
            if let v = log["level"] {
                let level = try string(v, at: "log.level")
                guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(level) else {
                    throw ConfigurationError(key: "log.level", problem: "unknown level '\(level)'")
                }
                config.logLevel = level
            }
        }
    }

    private func ladder(_ value: Any) throws(ConfigurationError) -> [RelaydConfiguration.Rung] {
        guard let list = value as? [Any] else {
            throw ConfigurationError(key: "transcode.ladder", problem: "expected a list of rungs")
        }
        var rungs: [RelaydConfiguration.Rung] = []
        for (i, item) in list.enumerated() {
            let at = "transcode.ladder[\(i)]"
            let t = try table(item, at: at)
            try expectOnly(["name", "width", "height", "videoKbps", "audioKbps"], in: t, at: at)
            func need(_ k: String) throws(ConfigurationError) -> Any {
                guard let v = t[k] else { throw ConfigurationError(key: "\(at).\(k)", problem: "is required") }
                return v
            }
            let name = try string(try need("name"), at: "\(at).name")
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }), name != "source" else {
                throw ConfigurationError(key: "\(at).name", problem: "must be letters and digits, not 'source'")
            }
            guard !rungs.contains(where: { $0.name == name }) else {
                throw ConfigurationError(key: "\(at).name", problem: "duplicate rung '\(name)'")
            }
            rungs.append(.init(
                name: name,
                width: try int(try need("width"), at: "\(at).width", in: 16...7680),
                height: try int(try need("height"), at: "\(at).height", in: 16...4320),
                videoKbps: try int(try need("videoKbps"), at: "\(at).videoKbps", in: 50...50_000),
                audioKbps: try int(t["audioKbps"] ?? 64, at: "\(at).audioKbps", in: 8...512)
            ))
        }
        return rungs
    }

    func section(_ top: [String: Any], _ name: String, keys: [String]) throws(ConfigurationError) -> [String: Any]? {
        guard let value = top[name] else { return nil }
        if value is NSNull { return nil }
        let t = try table(value, at: name)
        try expectOnly(keys, in: t, at: name)
        return t
    }

    func table(_ value: Any, at key: String) throws(ConfigurationError) -> [String: Any] {
        guard let dict = value as? [String: Any] else {
            throw ConfigurationError(key: key, problem: key.isEmpty ? "the config file must be a mapping of keys" : "expected a mapping")
        }
        return dict
    }

    func expectOnly(_ keys: [String], in table: [String: Any], at prefix: String) throws(ConfigurationError) {
        for key in table.keys.sorted() where !keys.contains(key) {
            let full = prefix.isEmpty ? key : "\(prefix).\(key)"
            throw ConfigurationError(key: full, problem: "unknown key (known: \(keys.joined(separator: ", ")))")
        }
    }

    func string(_ value: Any, at key: String) throws(ConfigurationError) -> String {
        if let s = value as? String { return s }
        if let i = value as? Int { return String(i) }
        throw ConfigurationError(key: key, problem: "expected a string")
    }

    func int(_ value: Any, at key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let i = value as? Int, !(value is Bool) else {
            throw ConfigurationError(key: key, problem: "expected an integer, got '\(value)'")
        }
        guard range.contains(i) else {
            throw ConfigurationError(key: key, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(i)")
        }
        return i
    }

    func port(_ value: Any, at key: String) throws(ConfigurationError) -> Int {
        try int(value, at: key, in: 0...65535)
    }

    func bool(_ value: Any, at key: String) throws(ConfigurationError) -> Bool {
        guard let b = value as? Bool else { throw ConfigurationError(key: key, problem: "expected true or false, got '\(value)'") }
        return b
    }
}
