import NIOConcurrencyHelpers

/// Where a listener's `run` and its ``ConnectionDrain/closeConnections(grace:)`` are, which can
/// meet in any order: a listener that fails to bind shuts the whole group down while another is
/// still starting, so the close can come before (or while) `run` starts serving. What was
/// started is stopped exactly once, by whichever of the two comes second.
public final class ListenerLifecycle<Serving: Sendable>: Sendable {
    private enum State {
        case idle
        case starting
        case serving(Serving)
        case closed
    }

    private let state = NIOLockedValueBox<State>(.idle)

    public init() {}

    /// `run` begins: false when the listener was closed before it started (serve nothing).
    public func begin() -> Bool {
        state.withLockedValue { state in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
    }

    /// `run` is serving `serving`: false when the close came while it was starting, and then
    /// `run` stops what it started itself (no one else will).
    public func serve(_ serving: Serving) -> Bool {
        state.withLockedValue { state in
            guard case .starting = state else { return false }
            state = .serving(serving)
            return true
        }
    }

    /// `run` failed to start: a later close has nothing to stop.
    public func failedToStart() {
        state.withLockedValue { $0 = .closed }
    }

    /// The close: what is being served, to stop now, or nil when nothing is (not started, still
    /// starting, or closed already). After this, ``begin()`` and ``serve(_:)`` return false.
    public func close() -> Serving? {
        state.withLockedValue { state in
            defer { state = .closed }
            guard case .serving(let serving) = state else { return nil }
            return serving
        }
    }
}
