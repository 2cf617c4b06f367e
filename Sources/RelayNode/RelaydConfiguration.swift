package import Cluster
import Foundation
import NIOCore
package import RelayCore
import Yams

/// Everything relayd is configured with: built-in defaults, overridden by the config file,
/// overridden by flags.
package struct RelaydConfiguration: Sendable, Equatable {
    package enum AuthMode: String, Sendable { case timetable, open }

    /// A ladder rung as configured: the relay's own `Rendition`.
    package typealias Rung = Rendition

    package var host = "0.0.0.0"
    package var dataDir = "./var"
    package var database: String?
    package var rtmpPort = 1935
    package var rtmpChunkSize = 60_000
    package var rtmpFlushIntervalMs = 30
    package var rtmpHandshakeTimeoutSeconds = 10
    package var rtmpIdleTimeoutSeconds = 30
    package var srtPort = 10080
    package var srtLatencyMs = 200
    package var srtPassphrase: String?
    /// AES key length in bytes (16, 24 or 32) when `srt.passphrase` is set.
    package var srtPbkeylen = 16
    /// SRTO_MAXBW in bytes per second (-1 unlimited, 0 relative to the input rate); nil = libsrt's default.
    package var srtMaxBandwidth: Int?
    package var httpPort = 8080
    /// A request head must be complete this long after the connection opened (its TLS handshake
    /// included) or after the next request's first byte.
    package var httpHeaderTimeoutSeconds = 10
    /// A keep-alive connection silent this long between requests is closed.
    package var httpIdleTimeoutSeconds = 30
    package var webrtcPort = 8189
    package var webrtcTCPPort: Int? = 8189
    package var webrtcPublicAddresses: [String] = []
    package var authMode = AuthMode.timetable
    package var authWindowMinutes = 15
    package var publisherGraceSeconds = 30
    /// This node's id among the relays sharing the database (`cluster.nodeId`; default the host name).
    package var clusterNodeID: String?
    /// How the other nodes reach this one (`cluster.advertiseHost`; default `host`, or 127.0.0.1 for all addresses).
    package var clusterAdvertiseHost: String?
    /// Higher-level services to pull lessons from that no node here has (`cluster.upstream`).
    package var clusterUpstreams: [PullOrigin] = []
    /// Pull from the other nodes over RTMPS (`cluster.tls`), trusting `cluster.tlsCAFile`.
    package var clusterTLS = ClusterTLS()
    /// Classes with `record` set are recorded under `<dataDir>/recordings`.
    package var recordingEnabled = true
    /// Finished recordings older than this are removed (0: never by age).
    package var recordingKeepDays = 30
    /// The recordings together stay under this many MiB, the oldest finished removed first (0: no limit).
    package var recordingMaxDiskMB = 0
    /// The reports' facts (sessions) are recorded (`reports.enabled`).
    package var reportsEnabled = true
    /// Facts of sessions last seen longer ago than this are removed (`reports.keepDays`; 0: kept).
    package var reportsKeepDays = 730
    /// Open sessions are written at least this often: what a crash may lose (`reports.flushSeconds`).
    package var reportsFlushSeconds = 30
    package var playerMaxBacklogMs = 4_000
    package var playerStallTimeoutSeconds = 20
    /// A site's downlink when the access policy does not know it (auth.mode open); nil: adaptive
    /// players with an unknown link play the source.
    package var playerDefaultBandwidthKbps: Int?
    package var playerStepDownBacklogMs = 1_500
    package var playerStepUpSeconds = 15
    package var transcodeEnabled = true
    package var transcodePreset = "veryfast"
    package var transcodeTune = "zerolatency"
    package var transcodeGopSeconds = 2
    package var transcodeReturnFeeds = false
    package var transcodeSourceServesItsSize = false
    package var transcodeRungPresets: [String: String] = [:]
    package var transcodeLadder: [Rung] = Rendition.defaultLadder
    package var limits = Limits()
    package var tls = TLS()
    /// The patrol session cookie's `Secure` (`http.secureCookies`); nil: when `http.tls` is on.
    package var httpSecureCookies: Bool?
    package var logLevel = "info"
    /// `text` (the `swift-log` stream format) or `json` (one object per line).
    package var logFormat = "text"
    /// Weekly recurrences repeat on local days in this zone; the CLI shows times in it.
    package var timeZone = "Asia/Shanghai"

    /// The database URL, defaulting to SQLite in the data directory.
    package var databaseURL: String { database ?? "sqlite:\(dataDir)/relay.db" }

    /// The built-in defaults.
    package init() {}
}

/// A configuration problem, reported as one line naming the key.
package struct ConfigurationError: Error, CustomStringConvertible {
    package let key: String
    package let problem: String
    package var description: String { key.isEmpty ? problem : "key '\(key)': \(problem)" }
}

extension RelaydConfiguration {
    /// Applies a YAML config file on top of `self`: decoded by Yams' `YAMLDecoder` into one
    /// struct per section (Configuration/), each refusing unknown keys and bad values.
    package mutating func apply(yaml text: String) throws(ConfigurationError) {
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
