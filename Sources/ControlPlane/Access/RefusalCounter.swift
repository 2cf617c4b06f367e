import Metrics
public import RelayCore

/// `relay_auth_refusals_total`: refused publishes and plays by a short reason code
/// (swift-metrics; the HTTP surface's /metrics renders it).
public enum RefusalCounter {
    public static func count(_ action: AccessRequest.Action, reason: String) {
        Metrics.Counter(label: "relay_auth_refusals_total", dimensions: [("action", action.rawValue), ("reason", reason)]).increment()
    }
}
