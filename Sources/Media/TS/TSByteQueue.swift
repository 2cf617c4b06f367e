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
    private var readLimit: Int?
    private var readCount = 0

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

    /// After `limit` bytes in total the reader sees the end (bounds probing of noise, which
    /// libavformat would otherwise read until the sender stops); nil lifts the limit.
    public func setReadLimit(_ limit: Int?) {
        condition.lock()
        readLimit = limit
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes the reader; it reads what is left, then sees the end.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Bytes handed to the reader so far.
    public var totalRead: Int {
        condition.lock()
        defer { condition.unlock() }
        return readCount
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
        while storage.count == head, !closed, readLimit.map({ readCount < $0 }) ?? true { condition.wait() }
        let allowed = readLimit.map { max(0, $0 - readCount) } ?? Int.max
        let available = min(storage.count - head, allowed)
        guard available > 0 else { return 0 }
        let n = min(available, count)
        readCount += n
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
