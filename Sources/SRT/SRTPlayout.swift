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
        var sinceKeyframe: [[UInt8]] = []
        var cachedBytes = 0
    }
    private let fanout = NIOLockedValueBox(Fanout())

    // Muxing-thread state.
    private var converter = FLVToTSConverter()
    private var muxer: TSMuxer?
    private var muxedConfiguration: FLVToTSConverter.Configuration?

    init(key: StreamKey, logger: Logger) {
        self.key = key
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "srt-mux \(key)"
        thread.start()
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

    /// Adds a player; it gets the chunks since the latest keyframe at once.
    func add(_ player: SRTPlayer) {
        let refused = fanout.withLockedValue { fanout -> Bool in
            fanout.players.append(player)
            for (index, chunk) in fanout.sinceKeyframe.enumerated() where !player.deliver(chunk, startsKeyframe: index == 0) {
                return true
            }
            return false
        }
        if refused { player.close(reason: "could not send the first keyframe") }
    }

    /// Removes a player; returns true when none is left.
    func remove(_ player: SRTPlayer) -> Bool {
        fanout.withLockedValue { fanout in
            fanout.players.removeAll { $0 === player }
            return fanout.players.isEmpty
        }
    }

    var players: [SRTPlayer] { fanout.withLockedValue { $0.players } }

    var viewerSnapshots: [ViewerSnapshot] { players.map(\.viewerSnapshot) }

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
                muxer = nil
            }
            for item in batch { handle(item) }
        }
        muxer = nil
    }

    private func handle(_ item: StreamItem) {
        switch item {
        case .event(.ended(let reason)):
            for player in players { player.close(reason: "stream ended: \(reason)") }
        case .event:
            break
        case .media(let message):
            if message.isSequenceHeader {
                if converter.apply(sequenceHeader: message), converter.configuration != muxedConfiguration { muxer = nil }
                return
            }
            guard let packet = converter.convert(message) else { return }
            if muxer == nil {
                let configuration = converter.configuration
                // Start (or restart after a configuration change) on a keyframe.
                let startsHere = configuration.video != nil ? (packet.codec == .h264 && packet.isKeyframe) : packet.codec == .aac
                guard startsHere else { return }
                do {
                    muxer = try TSMuxer(configuration: configuration) { [weak self] bytes, startsKeyframe in
                        self?.fanOut(Array(bytes), startsKeyframe: startsKeyframe || configuration.video == nil)
                    }
                    muxedConfiguration = configuration
                } catch {
                    logger.error("srt muxer failed to start", metadata: ["stream": "\(key)", "error": "\(error)"])
                    return
                }
            }
            do {
                try muxer?.write(packet)
            } catch {
                logger.warning("srt muxing failed; restarting at the next keyframe", metadata: ["stream": "\(key)", "error": "\(error)"])
                muxer = nil
            }
        }
    }

    private func fanOut(_ chunk: [UInt8], startsKeyframe: Bool) {
        let failed = fanout.withLockedValue { fanout -> [SRTPlayer] in
            if startsKeyframe {
                fanout.sinceKeyframe = [chunk]
                fanout.cachedBytes = chunk.count
            } else if !fanout.sinceKeyframe.isEmpty, fanout.cachedBytes < Self.maxCachedBytes {
                fanout.sinceKeyframe.append(chunk)
                fanout.cachedBytes += chunk.count
            }
            return fanout.players.filter { !$0.deliver(chunk, startsKeyframe: startsKeyframe) }
        }
        for player in failed { player.close(reason: "player accepted no data (stalled or gone)") }
    }
}
