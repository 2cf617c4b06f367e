import Foundation

/// The admin token: `RELAYD_ADMIN_TOKEN` if set, else `<data-dir>/admin.token`, created with
/// mode 0600 on first start.
enum AdminToken {
    struct Resolved {
        let token: String
        /// Where it is stored, or nil when it came from the environment.
        let path: String?
    }

    static func resolve(dataDir: String) throws -> Resolved {
        if let env = ProcessInfo.processInfo.environment["RELAYD_ADMIN_TOKEN"], !env.isEmpty {
            return Resolved(token: env, path: nil)
        }
        let path = (dataDir as NSString).appendingPathComponent("admin.token")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let token = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return Resolved(token: token, path: path) }
        }
        var rng = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw RelaydError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((token + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else {
            throw RelaydError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return Resolved(token: token, path: path)
    }
}

struct RelaydError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
