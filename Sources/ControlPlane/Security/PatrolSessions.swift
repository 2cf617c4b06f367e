import Foundation
import NIOConcurrencyHelpers

/// The patrol wall's login sessions: an opaque random id per login, kept in memory (a restart
/// logs everyone out), lapsing `lifetime` after the login. Bounded: past `capacity` the oldest
/// session goes. The id is what the HttpOnly cookie carries; it is never logged.
struct PatrolSessions: Sendable {
    static let cookieName = "relay_patrol"

    private let sessions = NIOLockedValueBox<[String: Date]>([:])
    let lifetime: TimeInterval
    let capacity: Int

    init(lifetime: TimeInterval = 8 * 3600, capacity: Int = 1000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// Starts a session; returns its id.
    func start(now: Date = Date()) -> String {
        let id = Secrets.newToken(byteCount: 32)
        sessions.withLockedValue { map in
            map = map.filter { $0.value > now }
            if map.count >= capacity, let oldest = map.min(by: { $0.value < $1.value }) { map[oldest.key] = nil }
            map[id] = now.addingTimeInterval(lifetime)
        }
        return id
    }

    /// True when `id` names a session that has not lapsed (compared in constant time).
    func isValid(_ id: String?, now: Date = Date()) -> Bool {
        guard let id, !id.isEmpty else { return false }
        return sessions.withLockedValue { map in
            map.contains { Secrets.constantTimeEquals($0.key, id) && $0.value > now }
        }
    }

    func end(_ id: String?) {
        guard let id else { return }
        sessions.withLockedValue { $0[id] = nil }
    }

    /// The session id in a request's Cookie header, if any.
    static func id(fromCookieHeader header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
        }
        return nil
    }
}
