import NIOConcurrencyHelpers
import NIOCore

/// Batches player writes on one event loop: outlets that received media are marked dirty, and
/// one timer per loop (not per player, not per packet) drains them all every `interval`, each
/// with a single flush, so a player gets one writev per tick instead of one send per message.
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
