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
    /// Applies a YAML config file on top of `self`: decoded by Yams' `YAMLDecoder` into one
    /// struct per section (Configuration/), each refusing unknown keys and bad values.
    mutating func apply(yaml text: String) throws(ConfigurationError) {
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(key: "", problem: "not valid YAML: \(String(describing: error).split(separator: "\n").first ?? "")")
        }
        guard let root else { return }  // empty file
        let file: ConfigurationFile
        do {
            file = try YAMLDecoder().decode(ConfigurationFile.self, from: root)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as DecodingError {
            throw ConfigurationError(decoding: error)
        } catch {
            throw ConfigurationError(key: "", problem: "cannot be read: \(error)")
        }
        try file.apply(to: &self)
    }
}

extension ConfigurationError {
    /// A decoding error the sections did not turn into one themselves, naming its key.
    init(decoding error: DecodingError) {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            self.init(key: context.codingPath.dottedKey, problem: context.debugDescription)
        case .keyNotFound(let key, let context):
            self.init(key: (context.codingPath + [key]).dottedKey, problem: "is required")
        @unknown default:
            self.init(key: "", problem: "\(error)")
        }
    }
}
