import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import RelayCore

/// One stream's SRT output: subscribed to the stream while it has SRT players, it muxes the
/// stream to MPEG-TS once, on its own thread, and hands the same 1316-byte chunks to every
/// player. The chunks since the latest keyframe are kept so a new player starts at once, with
/// PAT/PMT and a keyframe first.
final class SRTPlayout: StreamSubscriber, ViewerGroupReporting, @unchecked Sendable {
    static let maxQueuedItems = 4096
    static let maxCachedBytes = 16 << 20

    let key: StreamKey
    private let logger: Logger
    private let condition = NSCondition()
    private var items: [StreamItem] = []
    private var stopped = false
    private var overflowed = false

    private struct Fanout {
        var players: [SRTPlayer] = []
        var sinceKeyframe: [TSChunk] = []
        var cachedBytes = 0
    }
    private let fanout = NIOLockedValueBox(Fanout())
    /// Called (on the muxing thread, no lock held) when players left for another rung and none is left.
    private let onEmpty: @Sendable (StreamKey) -> Void

    // Muxing-thread state.
    private var converter = FLVToTSConverter()
    private var muxer: TSMuxer?
    private var muxedConfiguration: FLVToTSConverter.Configuration?
    private var restartMuxer = false
    /// The latest packet time handed to the muxer.
    private var position: Int64 = .min
    private var tablesVersion = 0
    private var firstPacketTime: Int64?
    /// A stream with one track only this long is muxed without the other.
    static let singleTrackAfterMillis: Int64 = 1000

    init(key: StreamKey, logger: Logger, onEmpty: @escaping @Sendable (StreamKey) -> Void = { _ in }) {
        self.key = key
        self.logger = logger
        self.onEmpty = onEmpty
    }

    /// Set by `start` before the playout is shared; joined by ``SRTPlayouts`` once stopped.
    private(set) var thread: OwnedThread?

    /// Starts the muxing thread; false (logged) when the system has none to give.
    func start() -> Bool {
        do {
            thread = try OwnedThread(name: "srt-mux") { [self] in self.run() }
            return true
        } catch {
            logger.error("srt playout not started", metadata: ["stream": "\(key)", "error": "\(error)"])
            return false
        }
    }

    /// Ends the muxing thread (last player left, or shutdown).
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    // MARK: StreamSubscriber (publisher's thread, stream lock held: only append)

    func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        condition.lock()
        if items.count < Self.maxQueuedItems {
            items.append(item)
        } else {
            overflowed = true
        }
        condition.signal()
        condition.unlock()
    }

    // MARK: Players

    /// Adds a player (once); it gets the chunks since the latest keyframe at once (a player
    /// switching rungs takes what it needs of them). False when the player must be closed
    /// (by the caller, outside its locks).
    func add(_ player: SRTPlayer) -> Bool {
        let outcome = fanout.withLockedValue { fanout -> SRTPlayer.Delivery in
            guard !fanout.players.contains(where: { $0 === player }) else { return .kept }
            for chunk in fanout.sinceKeyframe {
                let delivery = player.deliver(chunk, from: key)
                guard case .kept = delivery else { return delivery }
            }
            fanout.players.append(player)
            return .kept
        }
        if case .close = outcome { return false }
        return true
    }

    /// Removes a player; returns whether it was here and whether none is left.
    func remove(_ player: SRTPlayer) -> (removed: Bool, empty: Bool) {
        fanout.withLockedValue { fanout in
            let before = fanout.players.count
            fanout.players.removeAll { $0 === player }
            return (fanout.players.count < before, fanout.players.isEmpty)
        }
    }

    var isEmpty: Bool { fanout.withLockedValue { $0.players.isEmpty } }

    var players: [SRTPlayer] { fanout.withLockedValue { $0.players } }

    /// The players this stream feeds now (not those only waiting to switch to it).
    var viewerSnapshots: [ViewerSnapshot] { players.filter { $0.active.key == key }.map(\.viewerSnapshot) }

    // MARK: Muxing thread

    private func run() {
        while true {
            condition.lock()
            while items.isEmpty, !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                break
            }
            let batch = items
            items.removeAll(keepingCapacity: true)
            let lostSome = overflowed
            overflowed = false
            condition.unlock()
            if lostSome {
                logger.warning("srt muxer fell behind; restarting at the next keyframe", metadata: ["stream": "\(key)"])
                muxer?.flush()
                muxer = nil
            }
            for item in batch { handle(item) }
        }
        muxer = nil
    }

    private func handle(_ item: StreamItem) {
        switch item {
        case .event(.ended(let reason)):
            // Players only waiting to switch here stay on their rung.
            for player in players where player.active.key == key { player.close(reason: "stream ended: \(reason)") }
        case .event:
            break
        case .media(let message):
            if message.isSequenceHeader {
                // A track added or changed mid-stream: a new program table from the next packet on.
                if converter.apply(sequenceHeader: message), muxer != nil, converter.configuration != muxedConfiguration {
                    restartMuxer = true
                }
                return
            }
            guard let packet = converter.convert(message) else { return }
            if restartMuxer {
                restartMuxer = false
                muxer?.flush()  // the last frame's tail, still in the output buffer
                muxer = nil
                startMuxer()
            }
            if muxer == nil {
                guard startsHere(packet) else { return }
                startMuxer()
            }
            position = max(position, packet.dtsMillis)
            do {
                try muxer?.write(packet)
            } catch {
                logger.warning("srt muxing failed; restarting at the next keyframe", metadata: ["stream": "\(key)", "error": "\(error)"])
                muxer = nil
            }
        }
    }

    /// Whether a stopped muxer (re)starts with `packet`: at a keyframe, once both tracks are
    /// configured or one has been alone for a second (a rung's encoders open one by one; a
    /// program that gained a track later would change under its players).
    private func startsHere(_ packet: ElementaryPacket) -> Bool {
        let configuration = converter.configuration
        let first = firstPacketTime ?? packet.dtsMillis
        firstPacketTime = first
        guard configuration.video != nil && configuration.audio != nil || packet.dtsMillis - first >= Self.singleTrackAfterMillis else {
            return false
        }
        return configuration.video != nil ? packet.codec == .h264 && packet.isKeyframe : packet.codec == .aac
    }

    private func startMuxer() {
        let configuration = converter.configuration
        let audioOnly = configuration.video == nil
        do {
            // Each program gets its own table version, so players see that it changed.
            muxer = try TSMuxer(configuration: configuration, tablesVersion: tablesVersion) { [weak self] bytes, keyframeTime in
                guard let self else { return }
                self.fanOut(TSChunk(
                    bytes: Array(bytes), startsKeyframe: keyframeTime != nil || audioOnly, keyframeTime: keyframeTime,
                    position: self.position
                ))
            }
            tablesVersion = (tablesVersion + 1) % 32
            muxedConfiguration = configuration
        } catch {
            logger.error("srt muxer failed to start", metadata: ["stream": "\(key)", "error": "\(error)"])
        }
    }

    /// Caches the chunk and hands it to every player. The sends (`srt_sendmsg2`) happen outside
    /// the fan-out lock, so a player joining (which replays the cache under it) never waits on
    /// another player's send; only this thread fans out, so the players' order of chunks holds.
    private func fanOut(_ chunk: TSChunk) {
        let players = fanout.withLockedValue { fanout -> [SRTPlayer] in
            if chunk.startsKeyframe {
                fanout.sinceKeyframe = [chunk]
                fanout.cachedBytes = chunk.bytes.count
            } else if !fanout.sinceKeyframe.isEmpty, fanout.cachedBytes < Self.maxCachedBytes {
                fanout.sinceKeyframe.append(chunk)
                fanout.cachedBytes += chunk.bytes.count
            }
            return fanout.players
        }
        var closing: [SRTPlayer] = []
        var leaving: [SRTPlayer] = []
        for player in players {
            switch player.deliver(chunk, from: key) {
            case .kept: break
            case .leave: leaving.append(player)
            case .close: closing.append(player)
            }
        }
        var emptied = false
        if !leaving.isEmpty {
            emptied = fanout.withLockedValue { fanout in
                fanout.players.removeAll { player in leaving.contains { $0 === player } }
                return fanout.players.isEmpty
            }
        }
        for player in closing { player.close(reason: "player accepted no data (stalled or gone)") }
        if emptied { onEmpty(key) }
    }
}
