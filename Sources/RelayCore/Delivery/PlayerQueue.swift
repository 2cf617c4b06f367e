public import NIOCore

/// A player's bounded backlog, with the relay's drop policy: when a player cannot keep up, its
/// queued media is dropped up to the next keyframe, never blocking the publisher.
public struct PlayerQueue: Sendable {
    public struct Limits: Sendable {
        /// Most bytes waiting for one player.
        public var maxBytes: Int
        /// Most media time (ms between the oldest and newest queued message) waiting for one player.
        public var maxMillis: UInt32
        public init(maxBytes: Int = 8 << 20, maxMillis: UInt32 = 4_000) {
            self.maxBytes = maxBytes
            self.maxMillis = maxMillis
        }
    }

    public let limits: Limits
    public internal(set) var items: CircularBuffer<StreamItem>
    public private(set) var bytes = 0
    /// Timestamp of the oldest queued media message, if any.
    public private(set) var oldestTimestamp: UInt32?
    /// While true, only a video keyframe (or configuration) is let in.
    public private(set) var waitingForKeyframe = true
    /// Messages dropped because the player fell behind or joined between keyframes.
    public private(set) var droppedMessages = 0
    /// Times the backlog overflowed and was cut back to the next keyframe.
    public private(set) var overflows = 0

    public init(limits: Limits = Limits(), initialCapacity: Int = 512) {
        self.limits = limits
        self.items = CircularBuffer(initialCapacity: initialCapacity)
    }

    public var isEmpty: Bool { items.isEmpty }

    /// Media time queued, in milliseconds.
    public func backlogMillis(newest: UInt32) -> UInt32 {
        guard let oldestTimestamp, newest >= oldestTimestamp else { return 0 }
        return newest - oldestTimestamp
    }

    /// Queues `item` under the drop policy. Returns false when it was dropped.
    public mutating func push(_ item: StreamItem, streamHasVideo: Bool) -> Bool {
        switch item {
        case .event(let event):
            if event == .publisherStarted { waitingForKeyframe = true }
            items.append(item)
            return true
        case .media(let message):
            let isConfig = message.isSequenceHeader || message.kind == .metadata
            if !isConfig {
                if waitingForKeyframe {
                    let opensGOP = (message.kind == .video && message.isKeyframe) || !streamHasVideo
                    guard opensGOP else {
                        droppedMessages += 1
                        return false
                    }
                    waitingForKeyframe = false
                }
                let overBytes = bytes + message.wireSize > limits.maxBytes
                let overTime = backlogMillis(newest: message.timestamp) > limits.maxMillis
                if overBytes || overTime {
                    cutBacklog()
                    if streamHasVideo && !(message.kind == .video && message.isKeyframe) {
                        waitingForKeyframe = true
                        droppedMessages += 1
                        return false
                    }
                }
                if oldestTimestamp == nil { oldestTimestamp = message.timestamp }
            }
            bytes += message.wireSize
            items.append(item)
            return true
        }
    }

    /// Moves every queued item into `other` (which must be empty), leaving this queue empty.
    /// O(1): the two buffers swap storage, so nothing is copied or allocated.
    public mutating func drain(into other: inout CircularBuffer<StreamItem>) {
        precondition(other.isEmpty)
        swap(&items, &other)
        bytes = 0
        oldestTimestamp = nil
    }

    /// Drops queued media except configuration (metadata, sequence headers) and events.
    private mutating func cutBacklog() {
        overflows += 1
        var kept = CircularBuffer<StreamItem>(initialCapacity: items.capacity)
        var keptBytes = 0
        for item in items {
            switch item {
            case .event:
                kept.append(item)
            case .media(let message):
                if message.isSequenceHeader || message.kind == .metadata {
                    kept.append(item)
                    keptBytes += message.wireSize
                } else {
                    droppedMessages += 1
                }
            }
        }
        items = kept
        bytes = keptBytes
        oldestTimestamp = nil
    }
}
