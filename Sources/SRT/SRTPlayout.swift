import Foundation
import Logging
import Media
import NIOConcurrencyHelpers
import RelayCore

/// One stream's SRT output: subscribed to the stream while it has SRT players, it muxes the
/// stream to MPEG-TS once, on its own thread, and hands the same 1316-byte chunks to every
/// player. The chunks since the latest keyframe are kept so a new player starts at once, with
/// PAT/PMT and a keyframe first. One per stream and school: a site's players share one, and take
/// the site's mix-minus audio while it is on the class's stage (``mixMinusSite``).
///
/// Why its own condition and not a ``MediaInbox``: the muxing thread has two inputs that must be
/// ordered on it, the stream's items and players joining (``add(_:)``), so a joining player gets
/// the chunks since the keyframe exactly between two muxed chunks and every send (libsrt's
/// non-blocking `srt_sendmsg2`) happens on that thread with no lock held; one condition wakes it
/// for either. Its overflow policy differs too: past `maxQueuedItems` it takes nothing more and
/// restarts the TS muxer at the next keyframe (new tables), rather than dropping video alone.
final class SRTPlayout: StreamSubscriber, ViewerGroupReporting, @unchecked Sendable {
    static let maxQueuedItems = 4096
    static let maxCachedBytes = 16 << 20

    let key: StreamKey
    /// The school whose players this playout feeds: while it is on the class's stage the
    /// stream's audio reaches it without the school's own voice.
    let mixMinusSite: String?
    private let logger: Logger
    private let condition = NSCondition()
    private var items: [StreamItem] = []
    private var stopped = false
    private var overflowed = false

    /// Players to join at the muxing thread's next turn (under `condition`).
    private var joining: [any SRTPlayoutMember] = []
    /// The players fed, written by the muxing thread (joins) and by removals; read by all.
    private let members = NIOLockedValueBox<[any SRTPlayoutMember]>([])
    /// The chunks since the latest keyframe (muxing thread only).
    private var sinceKeyframe: [TSChunk] = []
    private var cachedBytes = 0
    /// Called (on the muxing thread, no lock held) when the players it fed left (another rung) or
    /// were closed, and none is left or joining.
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

    init(key: StreamKey, site: String? = nil, logger: Logger, onEmpty: @escaping @Sendable (StreamKey) -> Void = { _ in }) {
        self.key = key
        self.mixMinusSite = site
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

    /// Adds a player (once): the muxing thread, at its next turn, hands it the chunks since the
    /// latest keyframe (a player switching rungs takes what it needs of them) and then feeds it
    /// with the others, so every send happens on that thread with no lock held, and a player
    /// joins exactly between two chunks. A player that must be closed is closed there.
    func add(_ player: any SRTPlayoutMember) {
        condition.lock()
        if !joining.contains(where: { $0 === player }) { joining.append(player) }
        condition.signal()
        condition.unlock()
    }

    /// Removes a player; returns whether it was here and whether none is left (nor joining).
    func remove(_ player: any SRTPlayoutMember) -> (removed: Bool, empty: Bool) {
        condition.lock()
        let wasJoining = joining.contains { $0 === player }
        joining.removeAll { $0 === player }
        let stillJoining = !joining.isEmpty
        condition.unlock()
        return members.withLockedValue { members in
            let before = members.count
            members.removeAll { $0 === player }
            return (wasJoining || members.count < before, members.isEmpty && !stillJoining)
        }
    }

    /// No player fed and none about to join.
    var isEmpty: Bool {
        condition.lock()
        let noneJoining = joining.isEmpty
        condition.unlock()
        return noneJoining && members.withLockedValue { $0.isEmpty }
    }

    var players: [any SRTPlayoutMember] { members.withLockedValue { $0 } }

    /// The players this stream feeds now (not those only waiting to switch to it).
    var viewerSnapshots: [ViewerSnapshot] { players.filter { $0.active.key == key }.map(\.viewerSnapshot) }

    /// Joins players (muxing thread): the cached chunks first, then the live ones.
    private func join(_ joiners: [any SRTPlayoutMember]) {
        for player in joiners {
            guard !members.withLockedValue({ $0.contains { $0 === player } }) else { continue }
            var outcome = SRTPlayer.Delivery.kept
            for chunk in sinceKeyframe {
                outcome = player.deliver(chunk, from: key)
                guard case .kept = outcome else { break }
            }
            switch outcome {
            case .kept: members.withLockedValue { $0.append(player) }
            case .leave: break
            case .close: player.close(reason: "could not send the first keyframe")
            }
        }
    }

    // MARK: Muxing thread

    private func run() {
        while true {
            condition.lock()
            while items.isEmpty, joining.isEmpty, !stopped { condition.wait() }
            if stopped {
                condition.unlock()
                break
            }
            let batch = items
            items.removeAll(keepingCapacity: true)
            let joiners = joining
            joining.removeAll()
            let lostSome = overflowed
            overflowed = false
            condition.unlock()
            if lostSome {
                logger.warning("srt muxer fell behind; restarting at the next keyframe", metadata: ["stream": "\(key)"])
                muxer?.flush()
                muxer = nil
            }
            // Joins first: what is cached is what was muxed before this batch.
            if !joiners.isEmpty { join(joiners) }
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
                self.fanOut(
                    TSChunk(
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

    /// Caches the chunk and hands it to every player. Only this thread sends (joins too), with
    /// no lock held, so the players' order of chunks holds and a join never waits on a send.
    private func fanOut(_ chunk: TSChunk) {
        if chunk.startsKeyframe {
            sinceKeyframe = [chunk]
            cachedBytes = chunk.bytes.count
        } else if !sinceKeyframe.isEmpty, cachedBytes < Self.maxCachedBytes {
            sinceKeyframe.append(chunk)
            cachedBytes += chunk.bytes.count
        }
        var closing: [any SRTPlayoutMember] = []
        var leaving: [any SRTPlayoutMember] = []
        for player in players {
            switch player.deliver(chunk, from: key) {
            case .kept: break
            case .leave: leaving.append(player)
            case .close: closing.append(player)
            }
        }
        var emptied = false
        if !leaving.isEmpty || !closing.isEmpty {
            let gone = leaving + closing
            let none = members.withLockedValue { members in
                members.removeAll { player in gone.contains { $0 === player } }
                return members.isEmpty
            }
            emptied = none && isEmpty
        }
        for player in closing { player.close(reason: "player accepted no data (stalled or gone)") }
        if emptied { onEmpty(key) }
    }
}

/// What a playout feeds: an SRT player (or a test's stand-in).
protocol SRTPlayoutMember: AnyObject, Sendable {
    /// The stream feeding the player now.
    var active: SRTPlayer.Feed { get }
    var viewerSnapshot: ViewerSnapshot { get }
    /// Hands the player one chunk of `feed`'s stream (the playout's muxing thread).
    func deliver(_ chunk: TSChunk, from feed: StreamKey) -> SRTPlayer.Delivery
    func close(reason: String)
}

extension SRTPlayer: SRTPlayoutMember {}
