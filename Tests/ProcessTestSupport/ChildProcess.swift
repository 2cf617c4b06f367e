import Foundation
import NIOConcurrencyHelpers

/// A process started by a test (relayd, ffmpeg, ffprobe, rtmpdump), with its output captured.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let output = NIOLockedValueBox<(stdout: String, stderr: String)>(("", ""))
    private let drained = NIOLockedValueBox(0)
    /// Reads the output handlers are in the middle of (read, not yet appended).
    private let reading = NIOLockedValueBox(0)
    private let outputs: (stdout: FileHandle, stderr: FileHandle)
    public let name: String

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws {
        name = (executable as NSString).lastPathComponent
        process.executableURL = URL(fileURLWithPath: try Self.resolve(executable))
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let box = output
        let drained = self.drained
        let reading = self.reading
        outputs = (out.fileHandleForReading, err.fileHandleForReading)
        /// Appends what a pipe's reads bring (stdout or stderr) and counts its end of file.
        func capture(_ handle: FileHandle, isStderr: Bool) {
            handle.readabilityHandler = { handle in
                reading.withLockedValue { $0 += 1 }
                defer { reading.withLockedValue { $0 -= 1 } }
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    drained.withLockedValue { $0 += 1 }
                    return
                }
                let text = String(decoding: data, as: UTF8.self)
                box.withLockedValue { if isStderr { $0.stderr += text } else { $0.stdout += text } }
            }
        }
        capture(out.fileHandleForReading, isStderr: false)
        capture(err.fileHandleForReading, isStderr: true)
        try process.run()
    }

    public static func resolve(_ executable: String) throws -> String {
        if executable.hasPrefix("/") { return executable }
        for dir in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let path = "\(dir)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestFailure("\(executable) not found")
    }

    public var stdout: String { output.withLockedValue { $0.stdout } }
    public var stderr: String { output.withLockedValue { $0.stderr } }
    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    public func signal(_ sig: Int32) { if process.isRunning { kill(process.processIdentifier, sig) } }

    /// Waits for exit up to `timeout`; kills the process and returns nil on time-out.
    ///
    /// Never blocks a thread: Foundation's `waitUntilExit()` spins a run loop on the calling
    /// thread, and on Swift's cooperative pool (two threads on a two-core machine) one such call
    /// stalled every other task of the test run, including the ones that would end the wait.
    @discardableResult
    public func wait(timeout: Duration) async -> Int32? {
        guard await exited(within: timeout) else {
            signal(SIGKILL)
            _ = await exited(within: .seconds(5))
            return nil
        }
        // Let the pipes drain: until both readers saw end of file, or both pipes are at their end
        // with every byte read and appended (Foundation's readability handler does not always see
        // the end: about one exit in four here waited out the 2 s this gives up after).
        // (This file's waits poll by hand, not with `waitUntil`: they ignore cancellation, so a
        // cancelled test still reaps its child and reads its pipes to the end.)
        for _ in 0..<200 where !isDrained {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Whether all the output is in `stdout` and `stderr`: both readers saw end of file, or both
    /// pipes are closed by the writer with nothing left in them and no read half done (asked in
    /// that order, so a read taken before the check is counted).
    private var isDrained: Bool {
        if drained.withLockedValue({ $0 == 2 }) { return true }
        guard Self.isAtEnd(outputs.stdout), Self.isAtEnd(outputs.stderr) else { return false }
        return reading.withLockedValue { $0 == 0 }
    }

    /// A pipe whose writer has closed it, with no byte left to read.
    private static func isAtEnd(_ handle: FileHandle) -> Bool {
        var descriptor = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0, descriptor.revents & Int16(POLLHUP) != 0 else { return false }
        var pending: Int32 = 0
        let asked = withUnsafeMutablePointer(to: &pending) { ioctl(handle.fileDescriptor, UInt(FIONREAD), $0) }
        return asked == 0 && pending == 0
    }

    /// Polls until Foundation has seen the process exit, up to `limit`.
    private func exited(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Waits until `predicate` holds on stdout+stderr, up to `timeout`.
    public func waitForOutput(timeout: Duration, _ predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if predicate(stdout + stderr) { return true }
            if !process.isRunning { return predicate(stdout + stderr) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns (exit code, stdout, stderr).
public func runTool(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (Int32?, String, String) {
    let child = try ChildProcess(executable, arguments)
    let code = await child.wait(timeout: timeout)
    return (code, child.stdout, child.stderr)
}

extension Process {
    /// For synchronous helpers: waits up to `timeout` for exit without Foundation's
    /// `waitUntilExit()` (see ``ChildProcess/wait(timeout:)``), killing the process on time-out
    /// (and then waiting at most 5 s more, never forever).
    public func waitForExit(timeout: Duration = .seconds(60)) {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { usleep(10_000) }  // synchronous callers: no `waitUntil` here
        guard isRunning else { return }
        kill(processIdentifier, SIGKILL)
        let killed = ContinuousClock.now + .seconds(5)
        while isRunning, ContinuousClock.now < killed { usleep(10_000) }
    }
}
