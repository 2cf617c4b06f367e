/// Sites' HLS copies that ended (their site left the stage), each kept `keep` after its end for
/// its closed segments: the site's clients, back on the shared variant, fetch the stage's last
/// segments from the copy, where they hold no voice of their own. One expiry, applied both when a
/// copy is added and when one is looked up.
struct HLSEndedSiteCopies<Key: Hashable & Sendable>: Sendable {
    let keep: Duration
    private var copies: [Key: (packager: HLSVariantPackager, ended: ContinuousClock.Instant)] = [:]

    init(keep: Duration) {
        self.keep = keep
    }

    mutating func add(_ packager: HLSVariantPackager, for key: Key, endedAt now: ContinuousClock.Instant) {
        expire(at: now)
        copies[key] = (packager, now)
    }

    /// The ended copy of `key`, if it ended at most `keep` before `now`.
    mutating func copy(for key: Key, at now: ContinuousClock.Instant) -> HLSVariantPackager? {
        expire(at: now)
        return copies[key]?.packager
    }

    mutating func removeAll() {
        copies.removeAll()
    }

    private mutating func expire(at now: ContinuousClock.Instant) {
        let keep = self.keep
        if copies.values.contains(where: { now - $0.ended > keep }) {
            copies = copies.filter { now - $0.value.ended <= keep }
        }
    }
}
