import Foundation

/// A real relayd on loopback with its own data dir and ports, in timetable mode
/// (after Tests/RelaydTests/Support/RelaydServer.swift).
final class RelaydServer: @unchecked Sendable {
    let child: ChildProcess
    let dataDir: String
    let rtmpPort: Int
    let httpPort: Int

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binaryPath: String {
        ProcessInfo.processInfo.environment["RELAYD_BIN"] ?? repositoryRoot.appendingPathComponent(".build/debug/relayd").path
    }

    init() async throws {
        dataDir = try makeTemporaryDirectory("classctl-relayd")
        let configPath = dataDir + "/relayd.yaml"
        try "auth:\n  mode: timetable\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        child = try ChildProcess(RelaydServer.binaryPath, [
            "--config", configPath, "--data-dir", dataDir + "/var", "--host", "127.0.0.1",
            "--rtmp-port", "0", "--http-port", "0", "--srt-port", "0",
        ])
        let ready = await child.waitForOutput(timeout: .seconds(30)) {
            $0.contains("listening rtmp=") && $0.contains("listening http=")
        }
        guard ready, let rtmp = Self.port(of: "rtmp", in: child.stdout), let http = Self.port(of: "http", in: child.stdout) else {
            child.signal(SIGKILL)
            throw TestFailure("relayd did not start: \(child.stdout) \(child.stderr)")
        }
        rtmpPort = rtmp
        httpPort = http
    }

    static func port(of name: String, in output: String) -> Int? {
        for line in output.split(separator: "\n") where line.hasPrefix("listening \(name)=") {
            return line.split(separator: ":").last.flatMap { Int($0) }
        }
        return nil
    }

    var server: String { "http://127.0.0.1:\(httpPort)" }
    var tokenFile: String { dataDir + "/var/admin.token" }
    var rtmpBase: String { "rtmp://127.0.0.1:\(rtmpPort)" }

    func stop() async -> Int32? {
        child.signal(SIGTERM)
        return await child.wait(timeout: .seconds(10))
    }

    deinit {
        child.signal(SIGKILL)
        try? FileManager.default.removeItem(atPath: dataDir)
    }
}

func makeTemporaryDirectory(_ prefix: String) throws -> String {
    let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A TCP port free on loopback right now (nothing listens on it).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    guard bound == 0 else { throw TestFailure("bind failed") }
    let got = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    guard got == 0 else { throw TestFailure("getsockname failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Runs the built classctl against `server`.
struct Classctl {
    let server: String
    let tokenFile: String?

    static var binaryPath: String {
        ProcessInfo.processInfo.environment["CLASSCTL_BIN"]
            ?? RelaydServer.repositoryRoot.appendingPathComponent(".build/debug/classctl").path
    }

    func arguments(_ arguments: [String]) -> [String] {
        ["--server", server] + (tokenFile.map { ["--token-file", $0] } ?? []) + arguments
    }

    /// Runs to completion: (exit code, stdout, stderr).
    func run(_ arguments: String..., timeout: Duration = .seconds(60)) async throws -> (Int32?, String, String) {
        try await runTool(Self.binaryPath, self.arguments(arguments), timeout: timeout)
    }

    /// Starts without waiting.
    func start(_ arguments: String...) throws -> ChildProcess {
        try ChildProcess(Self.binaryPath, self.arguments(arguments))
    }
}
