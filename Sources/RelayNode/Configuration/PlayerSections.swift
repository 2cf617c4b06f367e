/// `publisher:`: how long a dropped publisher's stream waits for it.
struct PublisherSection: Decodable {
    var graceSeconds: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(decoder, keys: ["graceSeconds"])
        graceSeconds = try s.int("graceSeconds", in: 0...3600)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let graceSeconds { config.publisherGraceSeconds = graceSeconds }
    }
}

/// `player:`: a player's backlog, stall and adaptive steps.
struct PlayerSection: Decodable {
    var maxBacklogMs, stallTimeoutSeconds, defaultBandwidthKbps, stepDownBacklogMs, stepUpSeconds: Int?

    init(from decoder: any Decoder) throws {
        let s = try ConfigSection(
            decoder, keys: ["maxBacklogMs", "stallTimeoutSeconds", "defaultBandwidthKbps", "stepDownBacklogMs", "stepUpSeconds"]
        )
        defaultBandwidthKbps = try s.int("defaultBandwidthKbps", in: 50...10_000_000)
        stepDownBacklogMs = try s.int("stepDownBacklogMs", in: 100...60_000)
        stepUpSeconds = try s.int("stepUpSeconds", in: 1...3600)
        maxBacklogMs = try s.int("maxBacklogMs", in: 100...60_000)
        stallTimeoutSeconds = try s.int("stallTimeoutSeconds", in: 1...3600)
    }

    func apply(to config: inout RelaydConfiguration) {
        if let defaultBandwidthKbps { config.playerDefaultBandwidthKbps = defaultBandwidthKbps }
        if let stepDownBacklogMs { config.playerStepDownBacklogMs = stepDownBacklogMs }
        if let stepUpSeconds { config.playerStepUpSeconds = stepUpSeconds }
        if let maxBacklogMs { config.playerMaxBacklogMs = maxBacklogMs }
        if let stallTimeoutSeconds { config.playerStallTimeoutSeconds = stallTimeoutSeconds }
    }
}
