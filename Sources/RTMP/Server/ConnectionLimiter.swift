public import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore

/// Admission control for a listener: at most `maxTotal` open connections, and at most
/// `maxPerAddress` from one IP address. A refusal is counted in
/// `relay_connections_refused_total{protocol,reason}` and logged (at most once a second, with
/// how many were refused meanwhile, so a flood cannot flood the log too).
public final class ConnectionLimiter: Sendable {
    public enum Refusal: String, Sendable {
        case maxConnections = "max_connections"
        case maxConnectionsPerIP = "max_connections_per_ip"
    }

    public let maxTotal: Int
    public let maxPerAddress: Int
    private let transport: String
    private let logger: Logger
    private let state = NIOLockedValueBox(State())
    private let openGauge: Metrics.Gauge
    private let acceptedCounter: Metrics.Counter

    private struct State {
        var total = 0
        var perAddress: [String: Int] = [:]
        var refusedSinceLog = 0
        var lastLog: NIODeadline = .uptimeNanoseconds(0)
    }

    public init(transport: String, maxTotal: Int, maxPerAddress: Int, logger: Logger) {
        self.transport = transport
        self.maxTotal = maxTotal
        self.maxPerAddress = maxPerAddress
        self.logger = logger
        openGauge = Metrics.Gauge(label: "relay_connections_open", dimensions: [("protocol", transport)])
        acceptedCounter = Metrics.Counter(label: "relay_connections_accepted_total", dimensions: [("protocol", transport)])
    }

    /// Takes a slot for a connection from `address` (an IP address without port), or says why not.
    /// Every successful `admit` must be paired with one `release(address)`.
    public func admit(_ address: String) -> Refusal? {
        let (refusal, open, logLine): (Refusal?, Int, (Refusal, Int)?) = state.withLockedValue { state in
            var refusal: Refusal?
            if state.total >= maxTotal {
                refusal = .maxConnections
            } else if state.perAddress[address, default: 0] >= maxPerAddress {
                refusal = .maxConnectionsPerIP
            }
            guard let refusal else {
                state.total += 1
                state.perAddress[address, default: 0] += 1
                return (nil, state.total, nil)
            }
            state.refusedSinceLog += 1
            let now = NIODeadline.now()
            guard now - state.lastLog >= .seconds(1) else { return (refusal, state.total, nil) }
            let count = state.refusedSinceLog
            state.refusedSinceLog = 0
            state.lastLog = now
            return (refusal, state.total, (refusal, count))
        }
        if let refusal {
            Metrics.Counter(label: "relay_connections_refused_total", dimensions: [("protocol", transport), ("reason", refusal.rawValue)])
                .increment()
            if let (reason, count) = logLine {
                logger.warning(
                    "refusing connections",
                    metadata: [
                        "remote": "\(address)", "reason": "\(reason.rawValue)", "refused": "\(count)",
                        "open": "\(open)", "maxTotal": "\(maxTotal)", "maxPerIP": "\(maxPerAddress)",
                    ])
            }
            return refusal
        }
        acceptedCounter.increment()
        openGauge.record(open)
        return nil
    }

    /// Gives back the slot taken by `admit(address)`.
    public func release(_ address: String) {
        let open = state.withLockedValue { state in
            state.total -= 1
            if let n = state.perAddress[address], n > 1 {
                state.perAddress[address] = n - 1
            } else {
                state.perAddress[address] = nil
            }
            return state.total
        }
        openGauge.record(open)
    }
}
