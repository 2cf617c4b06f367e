import Logging
import NIOConcurrencyHelpers
import RelayCore

/// The SRT outputs by stream: created when a stream's first SRT player arrives (subscribing
/// its muxer to the stream), dropped when the last one leaves or switches to another rung.
final class SRTPlayouts: Sendable {
    private let registry: StreamRegistry
    private let logger: Logger
    private let playouts = NIOLockedValueBox<[StreamKey: (SRTPlayout, LiveStream)]>([:])
    /// Muxing threads of stopped playouts, still to be joined (by the epoll thread).
    private let retired = RetiredThreads()

    init(registry: StreamRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    /// Adds `player` to `key`'s playout (its active stream, or the one it is switching to).
    func add(_ player: SRTPlayer, to key: StreamKey) {
        // Under the map's lock, so a playout its last player is leaving is not joined as it retires.
        let added = playouts.withLockedValue { map -> Bool in
            if let existing = map[key] { return existing.0.add(player) }
            let playout = SRTPlayout(key: key, logger: logger) { [weak self] key in self?.retireIfEmpty(key) }
            guard playout.start() else { return false }
            // Replays configuration and the cached GOP into the new muxer.
            let stream = registry.attachSubscriber(playout, to: key)
            map[key] = (playout, stream)
            return playout.add(player)
        }
        if !added { player.close(reason: "could not send the first keyframe") }
    }

    /// Removes `player` from every playout it is in (it closed).
    func remove(_ player: SRTPlayer) {
        playouts.withLockedValue { map in
            for (key, entry) in map {
                let (removed, empty) = entry.0.remove(player)
                if removed, empty { retire(key, from: &map) }
            }
        }
    }

    /// Removes `player` from `key`'s playout only (a switch to it was abandoned).
    func remove(_ player: SRTPlayer, from key: StreamKey) {
        playouts.withLockedValue { map in
            guard let entry = map[key], entry.0.remove(player) == (true, true) else { return }
            retire(key, from: &map)
        }
    }

    private func retireIfEmpty(_ key: StreamKey) {
        playouts.withLockedValue { map in
            guard let entry = map[key], entry.0.isEmpty else { return }
            retire(key, from: &map)
        }
    }

    private func retire(_ key: StreamKey, from map: inout [StreamKey: (SRTPlayout, LiveStream)]) {
        guard let (playout, stream) = map.removeValue(forKey: key) else { return }
        registry.detachSubscriber(playout, from: stream)
        playout.stop()
        retired.add(playout.thread)
    }

    /// Joins the muxing threads of the playouts stopped so far. On the epoll thread, holding no
    /// lock: a muxing thread may be taking the map's lock to retire itself as it ends.
    func joinRetired() {
        retired.joinAll()
    }

    /// Stops every playout and joins its thread (shutdown, after the players were closed).
    func stopAll() {
        playouts.withLockedValue { map in
            for key in Array(map.keys) { retire(key, from: &map) }
        }
        joinRetired()
    }
}
