import Foundation

/// A real PostgreSQL server for the test: `initdb` into a temp dir, `pg_ctl start` on a free
/// loopback port, stopped and removed by `stop()`. As root it runs as the `postgres` user.
public final class PostgresServer: @unchecked Sendable {
    public let directory: String
    public let port: Int
    private let binDir: String

    /// Where clients reach it: loopback, or the extra address it also listens on.
    public let host: String

    public var url: String { "postgres://postgres@\(host):\(port)/postgres" }

    /// Starts a server, or returns nil with the reason when this machine cannot run one.
    /// `alsoListeningOn`: one more local address, trusted for its /24 (nodes in network namespaces).
    public static func start(alsoListeningOn address: String? = nil) -> (PostgresServer?, String) {
        guard let binDir = findBinDir() else { return (nil, "PostgreSQL binaries not found (apt-get install postgresql)") }
        do {
            let server = try PostgresServer(binDir: binDir, address: address)
            return (server, "")
        } catch {
            return (nil, "\(error)")
        }
    }

    private static func findBinDir() -> String? {
        let base = "/usr/lib/postgresql"
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: base) else { return nil }
        for v in versions.sorted(by: >) where FileManager.default.isExecutableFile(atPath: "\(base)/\(v)/bin/pg_ctl") {
            return "\(base)/\(v)/bin"
        }
        return nil
    }

    private init(binDir: String, address: String?) throws {
        self.binDir = binDir
        host = address ?? "127.0.0.1"
        directory = NSTemporaryDirectory() + "pg-\(UUID().uuidString.prefix(8))"
        port = try Self.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 {
            _ = try Self.run("/bin/chown", ["-R", "postgres:postgres", directory])
        }
        let initdb = try run("\(binDir)/initdb", ["-D", "\(directory)/data", "-A", "trust", "-U", "postgres", "--no-sync"])
        guard initdb.0 == 0 else { throw PostgresError("initdb failed: \(initdb.1)") }
        var listen = "127.0.0.1"
        if let address {
            listen += "," + address
            let subnet = address.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"
            let hba = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(directory)/data/pg_hba.conf"))
            hba.seekToEndOfFile()
            hba.write(Data("host all all \(subnet) trust\n".utf8))
            try hba.close()
        }
        let start = try run(
            "\(binDir)/pg_ctl",
            [
                "-D", "\(directory)/data", "-l", "\(directory)/log", "-w", "-t", "30",
                "-o", "-p \(port) -k \(directory) -c listen_addresses=\(listen) -c fsync=off", "start",
            ])
        guard start.0 == 0 else {
            let log = (try? String(contentsOfFile: "\(directory)/log", encoding: .utf8)) ?? ""
            throw PostgresError("pg_ctl start failed: \(start.1) \(log)")
        }
    }

    public func stop() {
        _ = try? run("\(binDir)/pg_ctl", ["-D", "\(directory)/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs `statement` with psql (an attacker's or an operator's hand on the database); its
    /// output, or throws with psql's message.
    @discardableResult
    public func sql(_ statement: String) throws -> String {
        let (status, output) = try run(
            "\(binDir)/psql",
            [
                "-h", "127.0.0.1", "-p", "\(port)", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-At", "-c", statement,
            ])
        guard status == 0 else { throw PostgresError("psql failed: \(output)") }
        return output
    }

    /// Runs as the postgres user when we are root (PostgreSQL refuses to run as root).
    private func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        if getuid() == 0 {
            return try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + args)
        }
        return try Self.run(tool, args)
    }

    /// Runs through `/bin/sh` with output to a file: a server started by pg_ctl must not hold a
    /// pipe of ours, and Foundation's Process does not reap reliably around daemonizing children.
    private static func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let outPath = NSTemporaryDirectory() + "pg-out-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: outPath) }
        let quoted = ([tool] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // The tool gets no descriptor of the test process's but 0-2: PostgreSQL counts the ones
        // it inherits against its own limit and refuses to start when a long test run holds many.
        let closing = #"for f in /proc/$$/fd/*; do n=${f##*/}; [ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null; done; exec "$@""#
        let status = system("cd /tmp && exec /bin/bash -c '\(closing)' close-descriptors \(quoted) > '\(outPath)' 2>&1 < /dev/null")
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        return (status == 0 ? 0 : 1, text)
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

public struct PostgresError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
