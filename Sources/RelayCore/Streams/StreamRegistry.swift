public import Logging
import NIOConcurrencyHelpers
public import NIOCore

/// All live streams by key. Publishers attach (taking over from a previous one), players
/// attach before or after the publisher, and a stream whose publisher left stays for the
/// grace period so a returning publisher keeps its players.
///
/// Lock order: the registry's lock, then a stream's lock; the publisher's per-message path
/// takes only the stream's.
public final class StreamRegistry: Sendable {
    public struct Configuration: Sendable {
        /// How long players wait for a publisher that went away.
        public var publisherGrace: TimeAmount
        public var gopCacheBytes: Int
        public init(publisherGrace: TimeAmount = .seconds(30), gopCacheBytes: Int = 16 << 20) {
            self.publisherGrace = publisherGrace
            self.gopCacheBytes = gopCacheBytes
        }
    }

    public let configuration: Configuration
    private let streams = NIOLockedValueBox<[StreamKey: LiveStream]>([:])
    private let timerLoop: any EventLoop
    /// Makes each new stream's framer (one per stream: a framer may keep per-stream state).
    private let makeFramer: @Sendable () -> MessageFramer
    private let logger: Logger
    private let publishObservers = NIOLockedValueBox<[@Sendable (StreamKey, LiveStream) -> Void]>([])

    public convenience init(
        configuration: Configuration = .init(),
        timerLoop: any EventLoop,
        framer: @escaping MessageFramer = { _ in },
        logger: Logger = Logger(label: "relay.streams")
    ) {
        self.init(configuration: configuration, timerLoop: timerLoop, makeFramer: { framer }, logger: logger)
    }

    /// A registry whose streams each get their own framer from `makeFramer`.
    public init(
        configuration: Configuration = .init(),
        timerLoop: any EventLoop,
        makeFramer: @escaping @Sendable () -> MessageFramer,
        logger: Logger = Logger(label: "relay.streams")
    ) {
        self.configuration = configuration
        self.timerLoop = timerLoop
        self.makeFramer = makeFramer
        self.logger = logger
    }

    /// Calls `observer` (on the publisher's thread, no lock held) whenever a stream gets a
    /// publisher: how the transcoders learn that a lesson started.
    public func addPublishObserver(_ observer: @escaping @Sendable (StreamKey, LiveStream) -> Void) {
        publishObservers.withLockedValue { $0.append(observer) }
    }

    public func stream(_ key: StreamKey) -> LiveStream? {
        streams.withLockedValue { $0[key] }
    }

    public var streamKeys: [StreamKey] { streams.withLockedValue { Array($0.keys) } }

    /// Every stream's state, for the live view and metrics.
    public func snapshots() -> [StreamSnapshot] {
        streams.withLockedValue { Array($0.values) }.map { $0.snapshot() }
    }

    /// Makes `publisher` the stream's publisher. A previous publisher is evicted (closed) and
    /// players continue at the new publisher's first keyframe.
    public func attachPublisher(
        _ publisher: any StreamPublisher, to key: StreamKey, info: PublisherInfo = PublisherInfo(transport: .rtmp)
    ) -> PublishSession {
        let (stream, generation, previous) = streams.withLockedValue { map in
            let stream = map[key] ?? makeStream(key, in: &map)
            return stream.state.withLockedValue { state -> (LiveStream, UInt64, (any StreamPublisher)?) in
                let previous = state.publisher
                state.generation &+= 1
                state.publisher = publisher
                state.publisherInfo = info
                state.bytesInAtPublish = state.bytesIn
                state.video = nil
                state.frameRate = FrameRateMeter()
                state.graceTimer?.cancel()
                state.graceTimer = nil
                state.gop.reset()
                state.metadata = nil
                state.videoHeader = nil
                state.audioHeader = nil
                state.rebasePending = true
                state.hasVideo = false  // until this publisher's video shows up
                for subscriber in state.subscribers {
                    subscriber.enqueue(.event(.publisherStarted), streamHasVideo: state.hasVideo)
                }
                return (stream, state.generation, previous)
            }
        }
        if let previous, previous !== publisher {
            logger.info("publisher taken over", metadata: ["stream": "\(key)"])
            previous.evict(reason: "another publisher took over \(key)")
        }
        for observer in publishObservers.withLockedValue({ $0 }) { observer(key, stream) }
        return PublishSession(stream: stream, generation: generation, registry: self)
    }

    /// Adds a player (or any subscriber) to the stream, creating it if no publisher came yet.
    @discardableResult
    public func attachSubscriber(_ subscriber: any StreamSubscriber, to key: StreamKey) -> LiveStream {
        streams.withLockedValue { map in
            let stream = map[key] ?? makeStream(key, in: &map)
            stream.addSubscriber(subscriber)
            return stream
        }
    }

    public func detachSubscriber(_ subscriber: any StreamSubscriber, from stream: LiveStream) {
        streams.withLockedValue { map in
            if stream.removeSubscriber(subscriber), map[stream.key] === stream {
                map[stream.key] = nil
            }
        }
    }

    /// Ends every stream: players are told and publishers closed (relay shutdown).
    public func shutdown(reason: String) {
        let all = streams.withLockedValue { map -> [LiveStream] in
            let all = Array(map.values)
            map.removeAll()
            return all
        }
        for stream in all {
            let publisher = stream.state.withLockedValue { state -> (any StreamPublisher)? in
                state.graceTimer?.cancel()
                state.graceTimer = nil
                for subscriber in state.subscribers {
                    subscriber.enqueue(.event(.ended(reason: reason)), streamHasVideo: state.hasVideo)
                }
                state.subscribers.removeAll()
                defer { state.publisher = nil }
                return state.publisher
            }
            publisher?.evict(reason: reason)
        }
    }

    func publisherEnded(stream: LiveStream, generation: UInt64) {
        let grace = configuration.publisherGrace
        let ended = stream.state.withLockedValue { state -> Bool in
            guard state.generation == generation, state.publisher != nil else { return false }
            state.publisher = nil
            for subscriber in state.subscribers {
                subscriber.enqueue(.event(.publisherLost), streamHasVideo: state.hasVideo)
            }
            state.graceTimer = timerLoop.scheduleTask(in: grace) { [self] in
                self.expire(stream: stream, generation: generation)
            }
            return true
        }
        if ended {
            logger.info(
                "publisher left; waiting for it",
                metadata: [
                    "stream": "\(stream.key)", "graceSeconds": "\(grace.nanoseconds / 1_000_000_000)",
                ])
        }
    }

    private func expire(stream: LiveStream, generation: UInt64) {
        let expired = streams.withLockedValue { map -> Bool in
            let expired = stream.state.withLockedValue { state -> Bool in
                guard state.generation == generation, state.publisher == nil, state.graceTimer != nil else {
                    return false
                }
                state.graceTimer = nil
                for subscriber in state.subscribers {
                    subscriber.enqueue(.event(.ended(reason: "publisher did not return")), streamHasVideo: state.hasVideo)
                }
                state.subscribers.removeAll()
                return true
            }
            if expired, map[stream.key] === stream { map[stream.key] = nil }
            return expired
        }
        if expired {
            logger.info("stream ended: publisher did not return", metadata: ["stream": "\(stream.key)"])
        }
    }

    private func makeStream(_ key: StreamKey, in map: inout [StreamKey: LiveStream]) -> LiveStream {
        let stream = LiveStream(key: key, gopCacheBytes: configuration.gopCacheBytes, framer: makeFramer())
        map[key] = stream
        return stream
    }
}
