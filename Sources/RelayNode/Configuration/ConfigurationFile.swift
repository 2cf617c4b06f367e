import Foundation

/// The config file as decoded by Yams' `YAMLDecoder`: the top-level keys and one struct per
/// section, each absent key nil so the defaults (and what came before) stay.
struct ConfigurationFile: Decodable {
    static let keys = [
        "host", "dataDir", "database", "timeZone", "rtmp", "srt", "http", "auth", "publisher", "player", "transcode",
        "log", "limits", "tls", "rtmps", "webrtc", "recording", "cluster", "reports",
    ]

    var host: String?
    var dataDir: String?
    var database: String?
    var timeZone: String?
    var rtmp: RTMPSection?
    var srt: SRTSection?
    var http: HTTPSection?
    var webrtc: WebRTCSection?
    var auth: AuthSection?
    var cluster: ClusterSection?
    var recording: RecordingSection?
    var reports: ReportsSection?
    var publisher: PublisherSection?
    var player: PlayerSection?
    var transcode: TranscodeSection?
    var limits: LimitsSection?
    var tls: TLSSection?
    var rtmps: RTMPSSection?
    var log: LogSection?

    init(from decoder: any Decoder) throws {
        let top = try ConfigSection(decoder, keys: Self.keys)
        host = try top.string("host")
        dataDir = try top.string("dataDir")
        database = try top.string("database")
        timeZone = try top.string("timeZone")
        if let zone = timeZone, TimeZone(identifier: zone) == nil {
            throw ConfigurationError(key: "timeZone", problem: "unknown time zone '\(zone)' (e.g. Asia/Shanghai)")
        }
        rtmp = try top.section("rtmp", as: RTMPSection.self)
        srt = try top.section("srt", as: SRTSection.self)
        http = try top.section("http", as: HTTPSection.self)
        webrtc = try top.section("webrtc", as: WebRTCSection.self)
        auth = try top.section("auth", as: AuthSection.self)
        cluster = try top.section("cluster", as: ClusterSection.self)
        recording = try top.section("recording", as: RecordingSection.self)
        reports = try top.section("reports", as: ReportsSection.self)
        publisher = try top.section("publisher", as: PublisherSection.self)
        player = try top.section("player", as: PlayerSection.self)
        transcode = try top.section("transcode", as: TranscodeSection.self)
        limits = try top.section("limits", as: LimitsSection.self)
        tls = try top.section("tls", as: TLSSection.self)
        rtmps = try top.section("rtmps", as: RTMPSSection.self)
        log = try top.section("log", as: LogSection.self)
    }

    /// Sets what the file sets on `config`; the rest stays.
    func apply(to config: inout RelaydConfiguration) throws(ConfigurationError) {
        if let host { config.host = host }
        if let dataDir { config.dataDir = dataDir }
        if let database { config.database = database }
        if let timeZone { config.timeZone = timeZone }
        rtmp?.apply(to: &config)
        srt?.apply(to: &config)
        http?.apply(to: &config)
        webrtc?.apply(to: &config)
        auth?.apply(to: &config)
        cluster?.apply(to: &config)
        recording?.apply(to: &config)
        reports?.apply(to: &config)
        publisher?.apply(to: &config)
        player?.apply(to: &config)
        transcode?.apply(to: &config)
        try limits?.apply(to: &config.limits)
        tls?.apply(to: &config)
        rtmps?.apply(to: &config)
        log?.apply(to: &config)
    }
}
