import Foundation
import ProcessTestSupport

/// Runs the built classctl against `server`.
struct Classctl {
    let server: String
    let tokenFile: String?

    static var binaryPath: String {
        ProcessInfo.processInfo.environment["CLASSCTL_BIN"]
            ?? (RelaydServer.binaryPath as NSString).deletingLastPathComponent + "/classctl"
    }

    func arguments(_ arguments: [String]) -> [String] {
        ["--server", server] + (tokenFile.map { ["--token-file", $0] } ?? []) + arguments
    }

    /// Runs to completion: (exit code, stdout, stderr).
    func run(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> (Int32?, String, String) {
        try await run(arguments, timeout: timeout)
    }

    func run(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (Int32?, String, String) {
        try await runTool(Self.binaryPath, self.arguments(arguments), timeout: timeout)
    }

    /// Starts without waiting.
    func start(_ arguments: String...) throws -> ChildProcess {
        try ChildProcess(Self.binaryPath, self.arguments(arguments))
    }
}
