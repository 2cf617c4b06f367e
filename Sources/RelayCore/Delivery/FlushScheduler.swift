import NIOConcurrencyHelpers
public import NIOCore

/// Batches player writes on one event loop: outlets that received media are marked dirty, and
/// one task per loop (not per player, not per packet) drains them all, each with a single flush,
/// so a player gets one writev per tick instead of one send per message.
///
/// The first message after a tick opens a gathering window of `interval`; everything that
/// arrives for any player of the loop within it goes out together when it closes. At 2 Mbit/s a
/// stream carries ~77 messages/s (30 video + ~47 audio), so a 30 ms window sends ~2–3 messages
/// per writev and adds at most `interval` of latency. The kernel's cost is per write far more
/// than per byte (loopback profile in docs/benchmarks.md), which is what the window buys down.
/// `interval: .zero` drains on the loop's next turn.
public final class FlushScheduler: Sendable {
    public let eventLoop: any EventLoop
    public let interval: TimeAmount
    private struct State {
        var dirty: [PlayerOutlet] = []
        var armed = false
    }
    private let state: NIOLockedValueBox<State>
    private let spare: NIOLoopBoundBox<[PlayerOutlet]>

    public init(eventLoop: any EventLoop, interval: TimeAmount) {
        self.eventLoop = eventLoop
        self.interval = interval
        var initial = State()
        initial.dirty.reserveCapacity(1024)
        self.state = NIOLockedValueBox(initial)
        var spareList: [PlayerOutlet] = []
        spareList.reserveCapacity(1024)
        self.spare = NIOLoopBoundBox.makeBoxSendingValue(spareList, eventLoop: eventLoop)
    }

    /// Asks for `outlet` to be drained at the next tick. Callable from any thread.
    func markDirty(_ outlet: PlayerOutlet) {
        let arm = state.withLockedValue { state -> Bool in
            state.dirty.append(outlet)
            if state.armed { return false }
            state.armed = true
            return true
        }
        guard arm else { return }
        if interval == .zero {
            eventLoop.execute { self.tick() }
        } else {
            eventLoop.scheduleTask(in: interval) { self.tick() }
        }
    }

    private func tick() {
        var batch = spare.value
        spare.value = []
        state.withLockedValue { state in
            swap(&state.dirty, &batch)
            state.armed = false
        }
        for outlet in batch {
            outlet.drainOnLoop()
        }
        batch.removeAll(keepingCapacity: true)
        spare.value = batch
    }
}

/// One ``FlushScheduler`` per event loop.
public final class FlushSchedulerPool: Sendable {
    public let interval: TimeAmount
    private let schedulers = NIOLockedValueBox<[ObjectIdentifier: FlushScheduler]>([:])

    public init(interval: TimeAmount) {
        self.interval = interval
    }

    public func scheduler(for eventLoop: any EventLoop) -> FlushScheduler {
        schedulers.withLockedValue { map in
            let id = ObjectIdentifier(eventLoop)
            if let existing = map[id] { return existing }
            let created = FlushScheduler(eventLoop: eventLoop, interval: interval)
            map[id] = created
            return created
        }
    }
}
