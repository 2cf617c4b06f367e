import Foundation

/// Bytes received from the network for one demuxer: filled by the socket thread, read
/// (blocking) by the demuxer's own thread through its AVIOContext.
///
/// Bounded: ``push(_:)`` refuses bytes beyond ``capacity`` rather than wait, so the socket
/// thread never blocks on a slow demuxer.
public final class TSByteQueue: @unchecked Sendable {
    public let capacity: Int
    private let condition = NSCondition()
    private var storage: [UInt8] = []
    private var head = 0
    private var closed = false

    public init(capacity: Int = 4 << 20) {
        self.capacity = capacity
        storage.reserveCapacity(64 * 1024)
    }

    /// Appends `bytes`; false when the queue is full or closed.
    @discardableResult
    public func push(_ bytes: UnsafeRawBufferPointer) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, storage.count - head + bytes.count <= capacity else { return false }
        if head > 0, head >= storage.count / 2 {
            storage.removeFirst(head)
            head = 0
        }
        storage.append(contentsOf: bytes)
        condition.signal()
        return true
    }

    public func push(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { push($0) }
    }

    /// Wakes the reader; it reads what is left, then sees the end.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    public var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }

    /// Copies up to `count` bytes into `buffer`, waiting for some; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while storage.count == head, !closed { condition.wait() }
        let available = storage.count - head
        guard available > 0 else { return 0 }
        let n = min(available, count)
        storage.withUnsafeBufferPointer { source in
            buffer.update(from: source.baseAddress! + head, count: n)
        }
        head += n
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        }
        return n
    }
}
