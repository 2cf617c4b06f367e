import NIOConcurrencyHelpers
public import NIOCore

/// Keyframes asked of the transcoder for one rung stream by players that lost a picture (a
/// WebRTC viewer's PLI or FIR): at most one a second per rung, taken by the transcoder at its
/// next picture of that rung.
public final class KeyframeRequests: Sendable {
    private struct Rung {
        var pending = false
        var lastRequest: NIODeadline?
    }
    private let rungs = NIOLockedValueBox<[StreamKey: Rung]>([:])
    public let minimumInterval: TimeAmount

    public init(minimumInterval: TimeAmount = .seconds(1)) {
        self.minimumInterval = minimumInterval
    }

    /// Asks for a keyframe on `rung`; false when one was asked less than `minimumInterval` ago.
    @discardableResult
    public func request(_ rung: StreamKey, now: NIODeadline = .now()) -> Bool {
        rungs.withLockedValue { map in
            var state = map[rung] ?? Rung()
            if let last = state.lastRequest, now - last < minimumInterval { return false }
            state.lastRequest = now
            state.pending = true
            map[rung] = state
            return true
        }
    }

    /// True (once) when a keyframe was asked for `rung` since the last call.
    public func take(_ rung: StreamKey) -> Bool {
        rungs.withLockedValue { map in
            guard map[rung]?.pending == true else { return false }
            map[rung]?.pending = false
            return true
        }
    }
}
