public import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// Locks out an IP address that fails API authentication too often: after `maxFailures`
/// failures within a minute its wrong tokens get 429 with `Retry-After` for `lockout`, so the
/// admin token cannot be guessed at network speed; the right token still passes (callers check
/// it first), so a guesser behind the same NAT does not lock the staff out. At most `maxTracked`
/// addresses are remembered; past that the stalest ones are forgotten (memory stays bounded
/// under a flood from many addresses).
public final class FailedAuthLimiter: Sendable {
    public struct Configuration: Sendable {
        public var maxFailures: Int
        public var window: TimeInterval
        public var lockout: TimeInterval
        public var maxTracked: Int
        public init(maxFailures: Int = 10, window: TimeInterval = 60, lockout: TimeInterval = 60, maxTracked: Int = 10_000) {
            self.maxFailures = maxFailures
            self.window = window
            self.lockout = lockout
            self.maxTracked = maxTracked
        }
    }

    private struct Entry {
        var failures: [Date] = []
        var lockedUntil: Date?
        var lastSeen: Date
    }

    public let configuration: Configuration
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let logger = Logger(label: "relay.http.auth")

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Seconds until `address` may try again, or nil when it is not locked out.
    public func retryAfter(_ address: String, now: Date = Date()) -> Int? {
        entries.withLockedValue { entries in
            guard let until = entries[address]?.lockedUntil, until > now else { return nil }
            return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        }
    }

    /// Records a failed authentication from `address`.
    public func recordFailure(_ address: String, now: Date = Date()) {
        Metrics.Counter(label: "relay_http_auth_failures_total").increment()
        let lockedNow = entries.withLockedValue { entries -> Bool in
            if entries[address] == nil, entries.count >= configuration.maxTracked { prune(&entries, now: now) }
            var entry = entries[address] ?? Entry(lastSeen: now)
            entry.lastSeen = now
            entry.failures.removeAll { now.timeIntervalSince($0) >= configuration.window }
            entry.failures.append(now)
            var locked = false
            if entry.failures.count >= configuration.maxFailures, entry.lockedUntil.map({ $0 <= now }) ?? true {
                entry.lockedUntil = now.addingTimeInterval(configuration.lockout)
                entry.failures.removeAll()
                locked = true
            }
            entries[address] = entry
            return locked
        }
        if lockedNow {
            Metrics.Counter(label: "relay_http_auth_lockouts_total").increment()
            logger.warning(
                "locking out an address after failed authentications",
                metadata: [
                    "remote": "\(address)", "failures": "\(configuration.maxFailures)", "lockoutSeconds": "\(Int(configuration.lockout))",
                ])
        }
    }

    /// Forgets what a successful authentication from `address` had failed before.
    public func recordSuccess(_ address: String) {
        entries.withLockedValue { entries in
            if entries[address]?.lockedUntil == nil { entries[address] = nil }
        }
    }

    /// Addresses remembered now (for tests and metrics).
    public var trackedAddresses: Int { entries.withLockedValue { $0.count } }

    private func prune(_ entries: inout [String: Entry], now: Date) {
        entries = entries.filter { _, entry in
            (entry.lockedUntil.map { $0 > now } ?? false)
                || entry.failures.contains { now.timeIntervalSince($0) < configuration.window }
        }
        // Still full (a flood of fresh addresses): forget the stalest half.
        if entries.count >= configuration.maxTracked {
            let keep = entries.sorted { $0.value.lastSeen > $1.value.lastSeen }.prefix(configuration.maxTracked / 2)
            entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
    }
}
