internal import CSRT
import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayCore
import Synchronization

/// The SRT listener's one thread: waits on libsrt's own epoll for new connections and
/// readable or broken sockets, accepts (the listen callback has already authorized), and
/// turns each accepted socket into a publisher or a player. Owns its thread (joined by
/// ``join()``) and the epoll (released in `deinit`, when no thread can be inside it).
final class SRTEventLoop: @unchecked Sendable {
    private let listener: SRTListenerSocket
    private let admission: SRTAdmission
    private let registry: StreamRegistry
    private let playouts: SRTPlayouts
    private let renditions: RenditionDirectory?
    private let configuration: SRTConfiguration
    private let logger: Logger
    private let epoll: Int32
    private let peers = NIOLockedValueBox<[SRTSOCKET: any SRTPeer]>([:])
    /// Ingest threads of publishers that closed, still to be joined (here: a publisher may close
    /// from its own ingest thread, which cannot join itself).
    private let endedIngests = RetiredThreads()
    private let running = Atomic<Bool>(true)
    /// Players accepted but not yet fed (epoll thread only), with when to start them and when
    /// their link was last primed.
    private var startingPlayers: [(due: Date, primed: Date, player: SRTPlayer)] = []
    /// How long a new player waits before its first chunk: the listener accepts when it has
    /// sent its handshake answer, and if a lossy link drops that answer the caller is not
    /// connected yet and discards what arrives meanwhile (too late to repair afterwards).
    /// Meanwhile the player gets an MPEG-TS null packet every ``primeInterval``: the receiver
    /// acknowledges them, so libsrt has measured the round trip before the first chunks go.
    /// Without it the receiver's repeat loss report runs on its 300 ms start-up interval, and
    /// a loss in the first burst whose first report is lost is repaired only after a 300 ms
    /// budget has run out (seen: about one start in seven at 5 % loss each way).
    static let playerStartDelay: TimeInterval = 0.3
    static let primeInterval: TimeInterval = 0.02
    private var thread: OwnedThread?

    init(
        listener: SRTListenerSocket, admission: SRTAdmission, registry: StreamRegistry, renditions: RenditionDirectory?,
        configuration: SRTConfiguration, logger: Logger
    ) throws(SRTError) {
        self.renditions = renditions
        self.listener = listener
        self.admission = admission
        self.registry = registry
        self.playouts = SRTPlayouts(registry: registry, logger: logger)
        self.configuration = configuration
        self.logger = logger
        epoll = srt_epoll_create()
        guard epoll >= 0 else { throw SRTError.last("srt_epoll_create") }
        srt_epoll_set(epoll, Int32(SRT_EPOLL_ENABLE_EMPTY.rawValue))
        var events = csrt_EPOLL_IN() | csrt_EPOLL_ERR()
        try SRTError.check(srt_epoll_add_usock(epoll, listener.id, &events), "srt_epoll_add_usock")
    }

    func start() throws(OwnedThread.StartError) {
        thread = try OwnedThread(name: "srt-epoll") { [self] in run() }
    }

    /// Asks the thread to stop; it does within its 100 ms wait.
    func stop() { running.store(false, ordering: .releasing) }

    /// Waits for the thread to return (after ``stop()``; at most one epoll wait). Blocks: call it
    /// off the cooperative pool.
    func join() {
        thread?.join()
        thread = nil
    }

    /// Publishers and players connected now.
    var connectionCount: Int { peers.withLockedValue { $0.count } }

    /// Closes every connection (after ``join()``, at shutdown).
    func closeAll(reason: String) {
        for peer in peers.withLockedValue({ Array($0.values) }) { peer.close(reason: reason) }
        playouts.stopAll()
        endedIngests.joinAll()
    }

    deinit { srt_epoll_release(epoll) }

    private func run() {
        var events = [SRT_EPOLL_EVENT](repeating: SRT_EPOLL_EVENT(), count: 64)
        var lastSample = Date()
        while running.load(ordering: .acquiring) {
            if Date().timeIntervalSince(lastSample) >= 1 {
                lastSample = Date()
                for peer in peers.withLockedValue({ Array($0.values) }) {
                    let statistics = peer.socket.statistics()
                    if let player = peer as? SRTPlayer, player.followedSource != nil, let statistics { adapt(player, statistics) }
                }
            }
            startDuePlayers()
            playouts.joinRetired()
            endedIngests.joinAll()
            let count = srt_epoll_uwait(epoll, &events, Int32(events.count), startingPlayers.isEmpty ? 100 : 20)
            guard count > 0 else { continue }
            for event in events.prefix(Int(count)) {
                if event.fd == listener.id {
                    acceptAll()
                    continue
                }
                guard let peer = peers.withLockedValue({ $0[event.fd] }) else {
                    srt_epoll_remove_usock(epoll, event.fd)
                    continue
                }
                if event.events & csrt_EPOLL_IN() != 0 { peer.readable() }
                if event.events & csrt_EPOLL_ERR() != 0 { peer.close(reason: "connection broken") }
            }
        }
    }

    /// Accepts one connection per readiness report (epoll is level-triggered: more pending
    /// connections are reported again), so libsrt is never asked when none is pending.
    private func acceptAll() {
        if let (id, remote) = listener.accept() {
            let socket = SRTSocket(id: id, remote: remote)
            guard let admitted = admission.take(id) else {
                logger.warning("srt connection without an access decision closed", metadata: ["remote": "\(remote)"])
                socket.close()
                return
            }
            let peer: any SRTPeer
            let unregister: @Sendable (SRTSocket) -> Void = { [weak self] socket in self?.forget(socket) }
            switch admitted.streamID.mode {
            case .publish:
                peer = SRTPublisher(socket: socket, admitted: admitted, registry: registry, logger: logger, onClose: unregister)
            case .request:
                let player = makePlayer(socket, admitted, unregister: unregister)
                logger.info(
                    "srt play started",
                    metadata: [
                        "stream": "\(player.named)", "rendition": "\(player.active.rendition)",
                        "adaptive": "\(player.rungChoice != nil)", "remote": "\(remote)",
                    ])
                peer = player
            }
            peers.withLockedValue { $0[id] = peer }
            var events = csrt_EPOLL_IN() | csrt_EPOLL_ERR()
            if srt_epoll_add_usock(epoll, id, &events) == SRT_ERROR {
                peer.close(reason: "cannot watch the socket: \(SRTError.last("srt_epoll_add_usock").message)")
                return
            }
            if let player = peer as? SRTPlayer {
                player.primeLink()
                startingPlayers.append((Date().addingTimeInterval(Self.playerStartDelay), Date(), player))
            }
        }
    }

    private func startDuePlayers() {
        guard !startingPlayers.isEmpty else { return }
        let now = Date()
        let due = startingPlayers.filter { $0.due <= now }
        startingPlayers.removeAll { $0.due <= now }
        for (_, _, player) in due where !player.socket.isClosed { playouts.add(player, to: player.active.key) }
        for index in startingPlayers.indices where now.timeIntervalSince(startingPlayers[index].primed) >= Self.primeInterval {
            startingPlayers[index].primed = now
            startingPlayers[index].player.primeLink()
        }
    }

    /// A player of a pinned rung or the source, or (the plain name on a site whose downlink is
    /// known) an adaptive one starting on the rung that fits.
    private func makePlayer(_ socket: SRTSocket, _ admitted: SRTAdmission.Admitted, unregister: @escaping @Sendable (SRTSocket) -> Void) -> SRTPlayer
    {
        let playouts = self.playouts
        let streamID = admitted.streamID
        var choice: SRTRungChoice?
        var initial = SRTPlayer.Feed(key: streamID.playedStream, rendition: streamID.rendition ?? "source")
        if let pinned = streamID.rendition, let renditions, renditions.playedKey(source: streamID.stream, rendition: pinned) == streamID.stream {
            initial = SRTPlayer.Feed(key: streamID.stream, rendition: "source")  // a rung the source cannot feed: the source
        }
        if streamID.rendition == nil, let renditions {
            // The plain name: the rung its link fits (when its bandwidth is known) or the source,
            // and in place of the source the class's program while the stage is set.
            var rung = "source"
            if let bandwidth = admitted.grant.bandwidthKbps ?? configuration.defaultBandwidthKbps {
                var rungChoice = SRTRungChoice(
                    source: streamID.playedStream, bandwidthKbps: bandwidth, latencyMs: configuration.latencyMs,
                    base: configuration.renditionSelection
                )
                rung = rungChoice.initial(rungs: renditions.renditions(for: streamID.playedStream), now: .now())
                choice = rungChoice
            }
            let onAir = rung == "source" && renditions.isProgramOnAir(streamID.playedStream)
            initial = feed(onAir ? Rendition.programName : rung, of: streamID.playedStream)
        }
        let player = SRTPlayer(
            socket: socket, admitted: admitted, initial: initial, stallTimeout: configuration.playerStallTimeoutSeconds, logger: logger,
            onClose: { player in
                playouts.remove(player)
                unregister(player.socket)
            }
        )
        player.rungChoice = choice
        if streamID.rendition == nil, renditions != nil { player.followedSource = streamID.playedStream }
        return player
    }

    private func feed(_ rendition: String, of source: StreamKey) -> SRTPlayer.Feed {
        .init(key: Rendition.playedKey(source: source, rendition: rendition), rendition: rendition)
    }

    /// Once a second, for a player of the plain name: it follows the class's program, and an
    /// adaptive one's link counters may move it to another rung.
    private func adapt(_ player: SRTPlayer, _ statistics: SRTLinkStatistics) {
        guard let renditions, let source = player.followedSource, !player.socket.isClosed else { return }
        if let abandoned = player.abandonSwitch(olderThan: 10) {
            logger.notice("srt rung switch abandoned: no keyframe", metadata: ["stream": "\(player.named)", "to": "\(abandoned.rendition)"])
            playouts.remove(player, from: abandoned.key)
        }
        let (active, pending) = player.feeds
        let onAir = renditions.isProgramOnAir(source)
        let playing = (pending ?? active).rendition
        // A player of the source follows the class's program (the stage filled or emptied).
        if playing == "source" && onAir || playing == Rendition.programName && !onAir {
            let next = feed(onAir ? Rendition.programName : "source", of: source)
            if next == active {
                if let abandoned = player.cancelSwitch() { playouts.remove(player, from: abandoned.key) }
            } else {
                if let abandoned = player.prepareSwitch(to: next) { playouts.remove(player, from: abandoned.key) }
                playouts.add(player, to: next.key)
            }
            return
        }
        guard var choice = player.rungChoice else { return }
        defer { player.rungChoice = choice }
        let rungs = renditions.renditions(for: choice.source)
        guard
            let (found, reading) = choice.evaluate(
                statistics.pressureSample, now: .now(), rungs: rungs, playing: playing == Rendition.programName ? "source" : playing
            )
        else { return }
        let target = found == "source" && onAir ? Rendition.programName : found
        let next = feed(target, of: choice.source)
        if next == active {
            // Back to the rung it is on: the pending switch is dropped.
            if let abandoned = player.cancelSwitch() { playouts.remove(player, from: abandoned.key) }
            return
        }
        let from = active.rendition
        let direction = renditions.countSwitch(of: choice.source, from: from, to: target)
        logger.info(
            "rung switch",
            metadata: [
                "protocol": "srt", "stream": "\(choice.source)", "remote": "\(player.socket.remote)", "from": "\(from)", "to": "\(target)",
                "direction": "\(direction)", "backlogMs": "\(reading?.backlogMillis ?? 0)", "throughputKbps": "\(reading?.throughputKbps ?? -1)",
                "bandwidthKbps": "\(choice.bandwidthKbps)", "srt": "\(statistics)",
            ])
        if let abandoned = player.prepareSwitch(to: next) { playouts.remove(player, from: abandoned.key) }
        playouts.add(player, to: next.key)
    }

    private func forget(_ socket: SRTSocket) {
        let peer = peers.withLockedValue { $0.removeValue(forKey: socket.id) }
        if let publisher = peer as? SRTPublisher { endedIngests.add(publisher.ingestThread) }
        srt_epoll_remove_usock(epoll, socket.id)
    }

}
