import NIOConcurrencyHelpers
import NIOCore

/// Batches player writes on one event loop: outlets that received media are marked dirty, and
/// one task per loop (not per player, not per packet) drains them all, each with a single flush,
/// so a player gets one writev per tick instead of one send per message. Ticks are at least
/// `interval` apart: media arriving after a quiet spell goes out at once (no added latency), and
/// media arriving sooner waits for the next tick and goes out with whatever else came meanwhile.
public final class FlushScheduler: Sendable {
    public let eventLoop: any EventLoop
    public let interval: TimeAmount
    private struct State {
        var dirty: [PlayerOutlet] = []
        var armed = false
        var lastTick = NIODeadline.distantPast
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
        let due = state.withLockedValue { state -> NIODeadline? in
            state.dirty.append(outlet)
            if state.armed { return nil }
            state.armed = true
            return state.lastTick + interval
        }
        guard let due else { return }
        if interval == .zero || due <= eventLoop.now {
            eventLoop.execute { self.tick() }
        } else {
            eventLoop.scheduleTask(deadline: due) { self.tick() }
        }
    }

    private func tick() {
        var batch = spare.value
        spare.value = []
        state.withLockedValue { state in
            swap(&state.dirty, &batch)
            state.armed = false
            state.lastTick = self.eventLoop.now
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
