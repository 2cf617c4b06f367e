internal import CFFmpeg
import Foundation

/// Collects the error lines libav* logs, so a failed call can report what FFmpeg said
/// (for example RTMP's `Server error: publish refused: …`) instead of only an error code.
///
/// Installing it replaces FFmpeg's process-wide log callback: nothing is printed to stderr
/// afterwards; error-level lines are kept (the newest ``capacity``) and returned by ``drain()``.
public enum FFmpegLogCapture {
    /// How many recent lines are kept.
    public static let capacity = 32

    /// Routes libav* logging into the capture buffer (idempotent).
    public static func install() {
        buffer.withLock { state in
            guard !state.installed else { return }
            state.installed = true
            av_log_set_callback { _, level, format, arguments in
                guard level <= errorLevel, let format, let arguments else { return }
                var text = [CChar](repeating: 0, count: 1024)
                _ = text.withUnsafeMutableBufferPointer { raw in
                    vsnprintf(raw.baseAddress, raw.count, format, arguments)
                }
                FFmpegLogCapture.append(text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            }
        }
    }

    /// Returns the captured lines, oldest first, and empties the buffer.
    public static func drain() -> [String] {
        buffer.withLock { state in
            defer { state.lines.removeAll() }
            return state.lines
        }
    }

    static func append(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return }
        buffer.withLock { state in
            state.lines.append(trimmed)
            if state.lines.count > capacity { state.lines.removeFirst(state.lines.count - capacity) }
        }
    }

    private struct State {
        var installed = false
        var lines: [String] = []
    }

    private static let buffer = LockedBox(State())
}

/// Error level and more severe (`AV_LOG_ERROR` is 16; smaller is more severe).
private let errorLevel: Int32 = 16

/// A value guarded by an `NSLock`.
final class LockedBox<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
