import Dispatch
import NIOConcurrencyHelpers

/// Threads that ended (or are ending) by themselves and wait for their owner to join them: a
/// thread cannot join itself, so whatever it belonged to hands it here and the owner joins them
/// all from its own thread.
public final class RetiredThreads: Sendable {
    private let threads = NIOLockedValueBox<[OwnedThread]>([])

    public init() {}

    public func add(_ thread: OwnedThread?) {
        guard let thread else { return }
        threads.withLockedValue { $0.append(thread) }
    }

    /// Joins every thread added so far. Blocks: call it holding no lock the threads take, and
    /// off event loops and Swift's cooperative pool.
    public func joinAll() {
        let retired = threads.withLockedValue { list in
            defer { list.removeAll() }
            return list
        }
        for thread in retired { thread.join() }
    }
}

/// Runs a blocking `body` (a join, a C library's wait) on a GCD thread and resumes when it
/// returns, so the waiting task never holds one of Swift's cooperative threads.
public func runBlocking(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
        DispatchQueue.global().async {
            body()
            done.resume()
        }
    }
}
