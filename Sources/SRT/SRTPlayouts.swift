import Logging
import NIOConcurrencyHelpers
import RelayCore

/// The SRT outputs by stream and school: created when a stream's first SRT player of a school
/// arrives (subscribing its muxer to the stream), dropped when the last one leaves or switches to
/// another rung. Per school, so that an on-stage site's players get its mix-minus (a site rarely
/// has more than one SRT player of a class; players without a school share one).
final class SRTPlayouts: Sendable {
    private let registry: StreamRegistry
    private let logger: Logger
    private let playouts = NIOLockedValueBox<[PlayoutKey: Entry]>([:])
    /// Muxing threads of stopped playouts, still to be joined (by the epoll thread).
    private let retired = RetiredThreads()

    private struct PlayoutKey: Hashable {
        let stream: StreamKey
        let site: String?
    }

    private struct Entry {
        let playout: SRTPlayout
        /// Nil while its subscription to the stream is being made (outside the map's lock).
        var stream: LiveStream?
    }

    init(registry: StreamRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    /// Adds `player` to `key`'s playout (its active stream, or the one it is switching to).
    /// The map's lock is never held while calling into the registry: a new playout is entered
    /// first, subscribed outside the lock (which replays configuration and the cached GOP into
    /// its muxer), and then given the player.
    func add(_ player: SRTPlayer, to stream: StreamKey) {
        enum Step { case added, notStarted, subscribe(SRTPlayout) }
        let key = PlayoutKey(stream: stream, site: player.schoolId)
        // An existing playout takes the player under the map's lock, so one its last player is
        // leaving is not retired while it does (a player about to join keeps it).
        let step = playouts.withLockedValue { map -> Step in
            if let existing = map[key] {
                existing.playout.add(player)
                return .added
            }
            let playout = SRTPlayout(key: stream, site: key.site, logger: logger) { [weak self] _ in self?.retireIfEmpty(key) }
            guard playout.start() else { return .notStarted }
            playout.add(player)
            map[key] = Entry(playout: playout, stream: nil)
            return .subscribe(playout)
        }
        switch step {
        case .added:
            break
        case .notStarted:
            player.close(reason: "no thread for the stream's SRT output")
        case .subscribe(let playout):
            let live = registry.attachSubscriber(playout, to: stream)
            let kept = playouts.withLockedValue { map -> Bool in
                guard map[key]?.playout === playout else { return false }
                map[key]?.stream = live
                return true
            }
            // Retired while it subscribed (every playout stopped: shutdown).
            if !kept { registry.detachSubscriber(playout, from: live) }
        }
    }

    /// Removes `player` from every playout it is in (it closed).
    func remove(_ player: SRTPlayer) {
        let gone = playouts.withLockedValue { map -> [Entry] in
            map.compactMap { key, entry in entry.playout.remove(player) == (true, true) ? key : nil }
                .compactMap { map.removeValue(forKey: $0) }
        }
        retire(gone)
    }

    /// Removes `player` from `key`'s playout only (a switch to it was abandoned).
    func remove(_ player: SRTPlayer, from stream: StreamKey) {
        retire(PlayoutKey(stream: stream, site: player.schoolId), if: { $0.remove(player) == (true, true) })
    }

    private func retireIfEmpty(_ key: PlayoutKey) {
        retire(key, if: \.isEmpty)
    }

    /// Takes `key`'s playout out of the map, if `condition` (asked under the map's lock) holds, and retires it.
    private func retire(_ key: PlayoutKey, if condition: (SRTPlayout) -> Bool) {
        let gone = playouts.withLockedValue { map -> Entry? in
            guard let entry = map[key], condition(entry.playout) else { return nil }
            return map.removeValue(forKey: key)
        }
        retire(gone.map { [$0] } ?? [])
    }

    /// Unsubscribes and stops playouts taken out of the map (outside its lock); their threads
    /// are joined later, by the epoll thread. One still subscribing is unsubscribed by `add`.
    private func retire(_ entries: [Entry]) {
        for entry in entries {
            if let stream = entry.stream { registry.detachSubscriber(entry.playout, from: stream) }
            entry.playout.stop()
            retired.add(entry.playout.thread)
        }
    }

    /// Joins the muxing threads of the playouts stopped so far. On the epoll thread, holding no
    /// lock: a muxing thread may be taking the map's lock to retire itself as it ends.
    func joinRetired() {
        retired.joinAll()
    }

    /// Stops every playout and joins its thread (shutdown, after the players were closed).
    func stopAll() {
        let all = playouts.withLockedValue { map -> [Entry] in
            defer { map.removeAll() }
            return Array(map.values)
        }
        retire(all)
        joinRetired()
    }
}
