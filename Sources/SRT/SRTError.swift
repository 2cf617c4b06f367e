internal import CSRT

/// A failed libsrt call: the function and SRT's own error text.
public struct SRTError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public let message: String

    public var description: String { "\(operation) failed: \(message)" }

    /// The thread's last libsrt error for `operation`.
    static func last(_ operation: String) -> SRTError {
        var errno: Int32 = 0
        let code = srt_getlasterror(&errno)
        let text = srt_getlasterror_str().map { String(cString: $0) } ?? "SRT error \(code)"
        return SRTError(operation: operation, code: code, message: text)
    }

    /// Returns `result` unless it is SRT_ERROR (-1); then throws the last error.
    @discardableResult
    static func check(_ result: Int32, _ operation: String) throws(SRTError) -> Int32 {
        guard result == SRT_ERROR else { return result }
        throw last(operation)
    }
}

/// libsrt's process-wide start (`srt_startup`), done once.
enum SRTLibrary {
    private static let started: Bool = srt_startup() >= 0

    static func start() throws(SRTError) {
        guard started else { throw SRTError.last("srt_startup") }
    }
}

/// The SRT listener could not bind (port in use, address not available).
public struct SRTListenError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let underlying: SRTError
    public var description: String { "cannot listen for srt on \(host):\(port): \(underlying.message)" }
}
