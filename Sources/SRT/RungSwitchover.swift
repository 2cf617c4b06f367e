import Foundation

/// One SRT player's move from the rung it plays (the old feed) to another (the new feed),
/// both muxed to MPEG-TS on their own threads. The switch happens at a keyframe instant both
/// rungs have (rungs of one source share the source's keyframe times): the player gets the old
/// rung up to that instant and the new one from it, with nothing repeated or skipped.
///
/// Whichever rung reaches the instant first waits: the new rung's chunks since its latest
/// keyframe are kept until the old rung gets there; or the old rung's chunks from its
/// keyframe are held back (not sent) until the new rung's keyframe at the same instant
/// arrives, for at most ``holdLimit``, and released when the new rung turns out to have no
/// keyframe there. Pure: the player sends what it is told to.
struct RungSwitchover: Sendable {
    /// The old rung is held back this long at most.
    static let holdLimit: TimeInterval = 1
    /// The new rung having gone this far past the held instant without a keyframe there: released.
    static let holdSlackMillis: Int64 = 500
    static let maxBufferedBytes = 4 << 20

    enum OldFeedAction: Equatable {
        /// Send the chunk as usual.
        case send
        /// Keep it back; nothing to send.
        case hold
        /// Send these (held chunks, then this one): the old rung goes on.
        case release([TSChunk])
        /// Switch: send these chunks of the new rung; the old rung's chunk is dropped and the
        /// old feed left.
        case switchNow([TSChunk])
    }

    enum NewFeedAction: Equatable {
        case keep
        /// Send these chunks of the old rung (held back, released): the switch waits on.
        case release([TSChunk])
        /// Switch: send these chunks of the new rung; the old one's held chunks are dropped.
        case switchNow([TSChunk])
    }

    private(set) var startedAt: Date
    /// The new rung's chunks since its latest keyframe, and that keyframe's time.
    private var buffer: [TSChunk] = []
    private var bufferBytes = 0
    private var bufferKeyframe: Int64?
    /// How far the new rung has got (the latest packet time of its latest chunk).
    private var newPosition: Int64?
    /// The old rung's chunks from its keyframe at `heldAt`, not sent yet.
    private var held: [TSChunk] = []
    private var heldAt: Int64?
    private var heldSince: Date?

    init(now: Date) { startedAt = now }

    /// A chunk of the old rung, which the player plays.
    mutating func old(_ chunk: TSChunk, now: Date) -> OldFeedAction {
        if heldAt != nil {
            held.append(chunk)
            if let since = heldSince, now.timeIntervalSince(since) > Self.holdLimit { return .release(takeHeld()) }
            return .hold
        }
        guard let time = chunk.keyframeTime, let position = newPosition else { return .send }
        if bufferKeyframe == time { return .switchNow(takeBuffer()) }
        // The new rung has not got to this instant yet: wait for it there.
        if (bufferKeyframe ?? .min) < time, position < time + Self.holdSlackMillis {
            heldAt = time
            heldSince = now
            held = [chunk]
            return .hold
        }
        return .send
    }

    /// A chunk of the new rung.
    mutating func new(_ chunk: TSChunk, now: Date) -> NewFeedAction {
        newPosition = chunk.position
        if let time = chunk.keyframeTime {
            buffer = [chunk]
            bufferBytes = chunk.bytes.count
            bufferKeyframe = time
            if let at = heldAt {
                if time == at {
                    held = []
                    heldAt = nil
                    return .switchNow(takeBuffer())
                }
                if time > at { return .release(takeHeld()) }
            }
            return .keep
        }
        if bufferKeyframe != nil {
            if bufferBytes + chunk.bytes.count <= Self.maxBufferedBytes {
                buffer.append(chunk)
                bufferBytes += chunk.bytes.count
            } else {
                buffer = []
                bufferBytes = 0
                bufferKeyframe = nil
            }
        }
        if let at = heldAt, chunk.position > at + Self.holdSlackMillis { return .release(takeHeld()) }
        return .keep
    }

    /// The switch is given up: the held chunks of the old rung, to send.
    mutating func cancel() -> [TSChunk] { takeHeld() }

    private mutating func takeHeld() -> [TSChunk] {
        defer {
            held = []
            heldAt = nil
            heldSince = nil
        }
        return held
    }

    private mutating func takeBuffer() -> [TSChunk] {
        defer {
            buffer = []
            bufferBytes = 0
            bufferKeyframe = nil
        }
        return buffer
    }
}
