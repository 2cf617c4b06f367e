import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A POSIX thread that exactly one owner starts and joins: for blocking or CPU-bound work (codecs,
/// muxers, C libraries' waits) that must stay off event loops and Swift's cooperative pool.
///
/// `join()` waits for the body to return; the owner calls it once, after telling the body to stop.
public final class OwnedThread: @unchecked Sendable {
    // Written once by `init` before any other thread sees the instance, then only read.
    private var handle = pthread_t()
    private var started = false
    private var joined = false
    public let name: String

    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, run: @escaping () -> Void) {
            self.name = name
            self.run = run
        }
    }

    /// Names of the threads whose bodies are still running, by start order: what relayd checks
    /// is empty when it stops (a thread left here was never told to stop or never joined).
    private static let live = NIOLockedValueBox<(next: UInt64, names: [UInt64: String])>((0, [:]))

    public static var runningNames: [String] {
        live.withLockedValue { state in state.names.sorted { $0.key < $1.key }.map(\.value) }
    }

    private static func register(_ name: String) -> UInt64 {
        live.withLockedValue { state in
            state.next += 1
            state.names[state.next] = name
            return state.next
        }
    }

    private static func unregister(_ id: UInt64) {
        _ = live.withLockedValue { $0.names.removeValue(forKey: id) }
    }

    /// The system refused a new thread (`pthread_create`'s error number).
    public struct StartError: Error, CustomStringConvertible {
        public let name: String
        public let errno: Int32
        public var description: String { "cannot start thread \(name): error \(errno)" }
    }

    /// Starts `body` on a new thread named `name` (at most 15 characters are kept by Linux).
    public init(name: String, body: @escaping @Sendable () -> Void) throws(StartError) {
        self.name = name
        let id = Self.register(name)
        let box = Unmanaged.passRetained(
            Body(
                name: name,
                run: {
                    body()
                    Self.unregister(id)
                }))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 8 << 20)
        let result = pthread_create(
            &handle, &attributes,
            { raw in
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                Thread.current.name = body.name
                body.run()
                return nil
            }, box.toOpaque())
        pthread_attr_destroy(&attributes)
        guard result == 0 else {
            box.release()
            Self.unregister(id)
            throw StartError(name: name, errno: result)
        }
        started = true
    }

    /// Waits for the thread's body to return. Call once, from the owner, never from the thread itself.
    public func join() {
        guard started, !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }

    deinit {
        // An owner that forgot to join: detach so the thread's resources are freed when it ends.
        if started, !joined { pthread_detach(handle) }
    }
}
