import Foundation

/// A real relayd binary, started by the test on loopback with its own data dir and ports.
public final class RelaydServer: @unchecked Sendable {
    public let child: ChildProcess
    public let dataDir: String
    public let rtmpPort: Int
    public let httpPort: Int
    /// The SRT listener's UDP port (`listening srt=HOST:PORT`).
    public let srtPort: Int
    /// The WebRTC media UDP port (`listening webrtc=HOST:PORT`).
    public let webrtcPort: Int
    private let ownsDataDir: Bool
    /// `RELAYD_ADMIN_TOKEN` when the test gave one (the nodes of a cluster share it).
    private let environmentToken: String?

    public static var binaryPath: String {
        if let env = ProcessInfo.processInfo.environment["RELAYD_BIN"] { return env }
        // Tests/ProcessTestSupport/RelaydServer.swift → the repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/relayd").path
    }

    /// Starts relayd with `config` (YAML) and waits for its listening line.
    public init(
        config: String = RelaydServer.openConfig(), extraArguments: [String] = [], environment: [String: String]? = nil,
        reuseDataDir: String? = nil
    ) async throws {
        dataDir = try reuseDataDir ?? makeTemporaryDirectory("relayd")
        ownsDataDir = reuseDataDir == nil
        environmentToken = environment?["RELAYD_ADMIN_TOKEN"]
        let configPath = dataDir + "/relayd.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        child = try ChildProcess(
            RelaydServer.binaryPath,
            [
                "--config", configPath, "--data-dir", dataDir + "/var", "--host", "127.0.0.1",
                "--rtmp-port", "0", "--http-port", "0", "--srt-port", "0", "--webrtc-port", "0",
            ] + extraArguments, environment: environment)
        let ready = await child.waitForOutput(timeout: .seconds(30)) {
            $0.contains("listening rtmp=") && $0.contains("listening http=") && $0.contains("listening srt=")
                && $0.contains("listening webrtc=")
        }
        guard ready, let rtmp = Self.port(of: "rtmp", in: child.stdout), let http = Self.port(of: "http", in: child.stdout),
            let srt = Self.port(of: "srt", in: child.stdout), let webrtc = Self.port(of: "webrtc", in: child.stdout)
        else {
            child.signal(SIGKILL)
            throw TestFailure("relayd did not start: \(child.stdout) \(child.stderr)")
        }
        rtmpPort = rtmp
        httpPort = http
        srtPort = srt
        webrtcPort = webrtc
    }

    /// The port of a `listening NAME=HOST:PORT` line.
    public static func port(of name: String, in output: String) -> Int? {
        for line in output.split(separator: "\n") where line.hasPrefix("listening \(name)=") {
            return line.split(separator: ":").last.flatMap { Int($0) }
        }
        return nil
    }

    public var server: String { "http://127.0.0.1:\(httpPort)" }
    public var tokenFile: String { dataDir + "/var/admin.token" }
    public var rtmpBase: String { "rtmp://127.0.0.1:\(rtmpPort)" }

    /// The contract's default: the timetable decides.
    public static let timetableConfig = "auth:\n  mode: timetable\n"

    public var apiBase: String { "http://127.0.0.1:\(httpPort)/api/v1" }
    public var adminToken: String {
        if let environmentToken { return environmentToken }
        return (try? String(contentsOfFile: dataDir + "/var/admin.token", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    public static func openConfig(graceSeconds: Int = 30, extra: String = "") -> String {
        """
        auth:
          mode: open
        publisher:
          graceSeconds: \(graceSeconds)
        log:
          level: info
        \(extra)
        """
    }

    public func url(_ stream: String) -> String { "rtmp://127.0.0.1:\(rtmpPort)/live/\(stream)" }

    /// An SRT URL for `live/<stream>` in the access-control streamid form; `mode` is
    /// `publish` or `request`; extra SRT options (e.g. `passphrase=...`) are appended.
    public func srtURL(_ stream: String, mode: String, key: String? = nil, options: String = "") -> String {
        var streamid = "#!::r=live/\(stream),m=\(mode)"
        if let key { streamid += ",s=\(key)" }
        // ffmpeg and srt-live-transmit pass the streamid on verbatim (no percent-decoding).
        return "srt://127.0.0.1:\(srtPort)?streamid=\(streamid)" + (options.isEmpty ? "" : "&\(options)")
    }

    /// SIGTERM and wait; returns the exit code.
    public func stop() async -> Int32? {
        child.signal(SIGTERM)
        return await child.wait(timeout: .seconds(10))
    }

    deinit {
        child.signal(SIGKILL)
        if ownsDataDir { try? FileManager.default.removeItem(atPath: dataDir) }
    }
}

public func makeTemporaryDirectory(_ prefix: String) throws -> String {
    let path = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A TCP port free on loopback right now.
public func freePort() throws -> Int {
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
