/// `rtmp:`: the RTMP listener.
struct RTMPSection: Decodable {
    var port, chunkSize, flushIntervalMs, handshakeTimeoutSeconds, idleTimeoutSeconds: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["port", "chunkSize", "flushIntervalMs", "handshakeTimeoutSeconds", "idleTimeoutSeconds"])
        port = try s.port("port")
        chunkSize = try s.int("chunkSize", in: 128...0xFF_FFFF)
        flushIntervalMs = try s.int("flushIntervalMs", in: 0...1000)
        handshakeTimeoutSeconds = try s.int("handshakeTimeoutSeconds", in: 1...300)
        idleTimeoutSeconds = try s.int("idleTimeoutSeconds", in: 1...3600)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let port { config.rtmpPort = port }
        if let chunkSize { config.rtmpChunkSize = chunkSize }
        if let flushIntervalMs { config.rtmpFlushIntervalMs = flushIntervalMs }
        if let handshakeTimeoutSeconds { config.rtmpHandshakeTimeoutSeconds = handshakeTimeoutSeconds }
        if let idleTimeoutSeconds { config.rtmpIdleTimeoutSeconds = idleTimeoutSeconds }
    }
}

/// `srt:`: the SRT listener; an empty passphrase is none.
struct SRTSection: Decodable {
    var port, latencyMs, pbkeylen, maxBandwidth: Int?
    var passphrase: String?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["port", "latencyMs", "passphrase", "pbkeylen", "maxBandwidth"])
        port = try s.port("port")
        latencyMs = try s.int("latencyMs", in: 0...60_000)
        passphrase = try s.string("passphrase")
        if let p = passphrase, !(p.isEmpty || (10...79).contains(p.count)) {
            throw ConfigurationError(key: "srt.passphrase", problem: "must be 10 to 79 characters")
        }
        pbkeylen = try s.int("pbkeylen", in: 16...32)
        if let n = pbkeylen, ![16, 24, 32].contains(n) {
            throw ConfigurationError(key: "srt.pbkeylen", problem: "must be 16, 24 or 32, got \(n)")
        }
        maxBandwidth = try s.int("maxBandwidth", in: -1...10_000_000_000)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let port { config.srtPort = port }
        if let latencyMs { config.srtLatencyMs = latencyMs }
        if let passphrase { config.srtPassphrase = passphrase.isEmpty ? nil : passphrase }
        if let pbkeylen { config.srtPbkeylen = pbkeylen }
        if let maxBandwidth { config.srtMaxBandwidth = maxBandwidth }
    }
}

/// `http:`: the REST API listener and its deadlines.
struct HTTPSection: Decodable {
    var port, headerTimeoutSeconds, idleTimeoutSeconds: Int?
    var tls, secureCookies: Bool?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["port", "tls", "secureCookies", "headerTimeoutSeconds", "idleTimeoutSeconds"])
        port = try s.port("port")
        tls = try s.bool("tls")
        secureCookies = try s.bool("secureCookies")
        headerTimeoutSeconds = try s.int("headerTimeoutSeconds", in: 1...300)
        idleTimeoutSeconds = try s.int("idleTimeoutSeconds", in: 1...3600)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let port { config.httpPort = port }
        if let tls { config.tls.http = tls }
        if let secureCookies { config.httpSecureCookies = secureCookies }
        if let headerTimeoutSeconds { config.httpHeaderTimeoutSeconds = headerTimeoutSeconds }
        if let idleTimeoutSeconds { config.httpIdleTimeoutSeconds = idleTimeoutSeconds }
    }
}
