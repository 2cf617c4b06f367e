import NIOCore

/// Whether one more WHEP/WHIP offer may start a session: a token bucket of offers per remote IP
/// (429 with Retry-After when empty), then caps on sessions not yet connected (ICE and DTLS under
/// way; each holds a slot of `limits.maxWebRTCSessions` for up to 15 s) per key and per IP (503),
/// so one school's key, or one address, cannot fill the relay with offers it never connects.
/// A value on the media server's loop; time is passed in.
struct OfferAdmission {
    typealias Limits = WebRTCOfferLimits

    enum Refusal: Equatable {
        case offerRate(retryAfter: Int)
        case unconnectedPerKey
        case unconnectedPerIP

        /// The metric label and the error code's tail.
        var reason: String {
            switch self {
            case .offerRate: "offer_rate"
            case .unconnectedPerKey: "unconnected_per_key"
            case .unconnectedPerIP: "unconnected_per_ip"
            }
        }
    }

    let limits: Limits
    private var buckets: [String: (tokens: Double, at: NIODeadline)] = [:]

    init(limits: Limits) {
        self.limits = limits
    }

    /// Takes one offer from `ip` (its token is spent even when a cap refuses it); the unconnected
    /// counts are the sessions that key and that IP hold now. A nil key (open access) has no cap of its own.
    mutating func admit(
        ip: String, key: String?, unconnectedForKey: Int, unconnectedForIP: Int, now: NIODeadline
    ) -> Refusal? {
        let rate = Double(limits.offersPerSecondPerIP)
        let burst = Double(limits.offerBurstPerIP)
        var bucket = buckets[ip] ?? (burst, now)
        bucket.tokens = min(burst, bucket.tokens + Double((now - bucket.at).nanoseconds) / 1e9 * rate)
        bucket.at = now
        guard bucket.tokens >= 1 else {
            buckets[ip] = bucket
            return .offerRate(retryAfter: max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
        }
        bucket.tokens -= 1
        buckets[ip] = bucket
        if key != nil, unconnectedForKey >= limits.maxUnconnectedPerKey { return .unconnectedPerKey }
        if unconnectedForIP >= limits.maxUnconnectedPerIP { return .unconnectedPerIP }
        return nil
    }

    /// Forgets addresses whose bucket has filled again (once a second): memory stays bounded by
    /// the addresses that offered within the last few seconds.
    mutating func prune(now: NIODeadline) {
        let refill = TimeAmount.nanoseconds(Int64(Double(limits.offerBurstPerIP) / Double(limits.offersPerSecondPerIP) * 1e9))
        buckets = buckets.filter { now - $0.value.at < refill }
    }

    var trackedAddresses: Int { buckets.count }
}

/// The offer rate and the caps on unconnected sessions (`limits:` in relayd's config).
public struct WebRTCOfferLimits: Sendable, Equatable {
    /// Unconnected sessions one key (one school's grant) may hold (`limits.maxUnconnectedWebRTCPerKey`).
    public var maxUnconnectedPerKey = 20
    /// Unconnected sessions one remote IP may hold (`limits.maxUnconnectedWebRTCPerIP`).
    public var maxUnconnectedPerIP = 20
    /// Offers one IP may make per second, sustained (`limits.webrtcOffersPerSecondPerIP`)...
    public var offersPerSecondPerIP = 10
    /// ...and at once after a quiet spell (a school's classrooms opening together).
    public var offerBurstPerIP = 30
    public init() {}
}
