import Foundation

/// The admin token: `RELAYD_ADMIN_TOKEN` if set, else `<data-dir>/admin.token`, created with
/// mode 0600 on first start (64 hex digits). A given token shorter than ``minimumLength``
/// characters is refused at start (one line naming where it came from, never the token; exit 2).
enum AdminToken {
    struct Resolved {
        let token: String
        /// Where it is stored, or nil when it came from the environment.
        let path: String?
    }

    static let minimumLength = 32

    static func resolve(dataDir: String) throws -> Resolved {
        if let env = ProcessInfo.processInfo.environment["RELAYD_ADMIN_TOKEN"], !env.isEmpty {
            try checkLength(env, source: "RELAYD_ADMIN_TOKEN")
            return Resolved(token: env, path: nil)
        }
        let path = (dataDir as NSString).appendingPathComponent("admin.token")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let token = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty {
                try checkLength(token, source: path)
                return Resolved(token: token, path: path)
            }
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

extension AdminToken {
    static func checkLength(_ token: String, source: String) throws(ConfigurationError) {
        guard token.count >= minimumLength else {
            throw ConfigurationError(
                key: source, problem: "the admin token must be at least \(minimumLength) characters, got \(token.count)"
            )
        }
    }
}

package struct RelaydError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
