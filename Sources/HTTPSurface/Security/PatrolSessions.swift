import ControlPlane
import Foundation
import NIOConcurrencyHelpers

/// The administrators' login sessions of `/patrol` and `/console`: an opaque random id per login,
/// kept in memory (a restart logs everyone out), lapsing `lifetime` after the login. Bounded:
/// past `capacity` the oldest session goes. The id is what the HttpOnly cookie carries; it is
/// never logged. Each session has its own CSRF token, which the console's page carries in a
/// `data-*` attribute and sends as `X-CSRF-Token` with its API requests (`BearerTokenMiddleware`).
struct PatrolSessions: Sendable {
    static let cookieName = "relay_patrol"

    struct Session {
        let expires: Date
        let csrfToken: String
    }

    private let sessions = NIOLockedValueBox<[String: Session]>([:])
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
            map = map.filter { $0.value.expires > now }
            if map.count >= capacity, let oldest = map.min(by: { $0.value.expires < $1.value.expires }) { map[oldest.key] = nil }
            map[id] = Session(expires: now.addingTimeInterval(lifetime), csrfToken: Secrets.newToken(byteCount: 32))
        }
        return id
    }

    /// True when `id` names a session that has not lapsed (compared in constant time).
    func isValid(_ id: String?, now: Date = Date()) -> Bool {
        session(id, now: now) != nil
    }

    /// The CSRF token of the session `id` names, if it has not lapsed.
    func csrfToken(_ id: String?, now: Date = Date()) -> String? {
        session(id, now: now)?.csrfToken
    }

    private func session(_ id: String?, now: Date) -> Session? {
        guard let id, !id.isEmpty else { return nil }
        return sessions.withLockedValue { map in
            map.first { Secrets.constantTimeEquals($0.key, id) && $0.value.expires > now }?.value
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
