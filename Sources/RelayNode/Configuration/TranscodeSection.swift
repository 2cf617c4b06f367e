/// `transcode:`: the ladder and how it is encoded.
struct TranscodeSection: Decodable {
    static let presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"]
    static let tunes = ["", "zerolatency", "film", "animation", "grain", "stillimage", "psnr", "ssim", "fastdecode"]

    var enabled, returnFeeds, sourceServesItsSize: Bool?
    var ladder: [RelaydConfiguration.Rung]?
    var preset, tune: String?
    var gopSeconds: Int?
    var rungPresets: [String: String]?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(
            decoder, keys: ["enabled", "ladder", "preset", "tune", "gopSeconds", "returnFeeds", "sourceServesItsSize", "rungPresets"]
        )
        enabled = try s.bool("enabled")
        ladder = try s.list("ladder", of: RungEntry.self, notAList: "expected a list of rungs")?.map(\.rung)
        for (i, rung) in (ladder ?? []).enumerated() where ladder?.prefix(i).contains(where: { $0.name == rung.name }) == true {
            throw ConfigurationError(key: "transcode.ladder[\(i)].name", problem: "duplicate rung '\(rung.name)'")
        }
        preset = try Self.preset(s.string("preset"), at: "transcode.preset")
        rungPresets = try s.section("rungPresets", as: RungPresets.self)?.presets
        tune = try s.string("tune")
        if let tune, !Self.tunes.contains(tune) {
            throw ConfigurationError(
                key: "transcode.tune", problem: "must be one of \(Self.tunes.dropFirst().joined(separator: ", ")), got '\(tune)'")
        }
        gopSeconds = try s.int("gopSeconds", in: 1...10)
        returnFeeds = try s.bool("returnFeeds")
        sourceServesItsSize = try s.bool("sourceServesItsSize")
    }

    static func preset(_ preset: String?, at key: String) throws(ConfigurationError) -> String? {
        guard let preset, !presets.contains(preset) else { return preset }
        throw ConfigurationError(key: key, problem: "must be one of \(presets.joined(separator: ", ")), got '\(preset)'")
    }

    func apply(to config: inout RelaydConfiguration) {
        if let enabled { config.transcodeEnabled = enabled }
        if let ladder { config.transcodeLadder = ladder }
        if let preset { config.transcodePreset = preset }
        config.transcodeRungPresets.merge(rungPresets ?? [:]) { $1 }
        if let tune { config.transcodeTune = tune }
        if let gopSeconds { config.transcodeGopSeconds = gopSeconds }
        if let returnFeeds { config.transcodeReturnFeeds = returnFeeds }
        if let sourceServesItsSize { config.transcodeSourceServesItsSize = sourceServesItsSize }
    }
}

/// One `transcode.ladder` item: a name (letters and digits, not `source`), its size and bitrates.
struct RungEntry: Decodable {
    var rung: RelaydConfiguration.Rung

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["name", "width", "height", "videoKbps", "audioKbps"])
        func need<Value>(_ key: String, _ value: Value?) throws(ConfigurationError) -> Value {
            guard let value else { throw ConfigurationError(key: s.key(key), problem: "is required") }
            return value
        }
        let name = try need("name", s.string("name"))
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }), name != "source" else {
            throw ConfigurationError(key: s.key("name"), problem: "must be letters and digits, not 'source'")
        }
        rung = .init(
            name: name,
            width: try need("width", s.int("width", in: 16...7680)),
            height: try need("height", s.int("height", in: 16...4320)),
            videoKbps: try need("videoKbps", s.int("videoKbps", in: 50...50_000)),
            audioKbps: try s.int("audioKbps", in: 8...512) ?? 64
        )
    }
}

/// `transcode.rungPresets`: an x264 preset per rung name.
struct RungPresets: Decodable {
    var presets: [String: String] = [:]

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: nil)
        for rung in s.allKeys {
            presets[rung] = try TranscodeSection.preset(s.string(rung), at: s.key(rung))
        }
    }
}
