/// Keeps an on-stage site's own voice from its players: the class's program audio, which carries
/// it, never reaches a player of a site on the stage. Live, such a player gets the site's
/// mix-minus packet, or nothing while there is none yet (its encoder starting); joining, it is
/// replayed the mix-minus packets its site's players got since the cached GOP's keyframe in place
/// of the program's, and no audio where there were none.
struct MixMinusReplay {
    /// The sites on the class's stage as of the latest audio message.
    private(set) var stageSites: Set<String> = []
    /// Each on-stage site's mix-minus packets since the GOP's keyframe, by timestamp.
    private var cached: [String: [UInt32: MediaMessage]] = [:]

    /// A video keyframe: the cached GOP starts again, and so do the sites' packets.
    mutating func keyframe() {
        if !cached.isEmpty { cached.removeAll(keepingCapacity: true) }
    }

    /// An audio message fanned out with the stage as it is and the mix-minus packets sent with it.
    mutating func audio(stage: Set<String>, alternatives: [String: MediaMessage]) {
        if stageSites != stage { stageSites = stage }
        for (site, message) in alternatives { cached[site, default: [:]][message.timestamp] = message }
    }

    /// Whether the program's audio is kept from a player of `site` (it is on the stage).
    func withholdsProgram(from site: String?) -> Bool {
        guard let site else { return false }
        return stageSites.contains(site)
    }

    /// What a new player of `site` is replayed in place of the cached `message`: the message
    /// itself, its site's mix-minus packet of that time, or nothing.
    func replayed(_ message: MediaMessage, to site: String?) -> MediaMessage? {
        guard message.kind == .audio, !message.isSequenceHeader, withholdsProgram(from: site), let site else { return message }
        return cached[site]?[message.timestamp]
    }
}
