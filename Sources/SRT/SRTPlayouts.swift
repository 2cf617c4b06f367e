import Logging
import NIOConcurrencyHelpers
import RelayCore

/// The SRT outputs by stream: created when a stream's first SRT player arrives (subscribing
/// its muxer to the stream), dropped when the last one leaves.
final class SRTPlayouts: Sendable {
    private let registry: StreamRegistry
    private let logger: Logger
    private let playouts = NIOLockedValueBox<[StreamKey: (SRTPlayout, LiveStream)]>([:])

    init(registry: StreamRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    func add(_ player: SRTPlayer) {
        let playout = playouts.withLockedValue { map -> SRTPlayout in
            if let existing = map[player.stream] { return existing.0 }
            let playout = SRTPlayout(key: player.stream, logger: logger)
            playout.start()
            // Replays configuration and the cached GOP into the new muxer.
            let stream = registry.attachSubscriber(playout, to: player.stream)
            map[player.stream] = (playout, stream)
            return playout
        }
        playout.add(player)
    }

    func remove(_ player: SRTPlayer) {
        playouts.withLockedValue { map in
            guard let entry = map[player.stream], entry.0.remove(player) else { return }
            let (playout, stream) = entry
            map[player.stream] = nil
            registry.detachSubscriber(playout, from: stream)
            playout.stop()
        }
    }

    /// Every player of every stream (for shutdown).
    var allPlayers: [SRTPlayer] {
        playouts.withLockedValue { Array($0.values) }.flatMap { $0.0.players }
    }
}
