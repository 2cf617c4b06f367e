package import RelayCore

/// Wraps the access policy with the `limits.maxStreams` cap: a publish or play that would
/// open a stream the registry does not hold yet is refused once it holds `maxStreams`
/// (counted as `relay_auth_refusals_total{reason="max_streams"}`). Streams already open are
/// never affected, so a publisher coming back within its grace period, a takeover and new
/// players of a live lesson still pass. The check is not atomic with the attach that follows;
/// two requests racing for the last slot may both pass, which bounds the overshoot by the
/// number of concurrent authorizations.
package struct StreamLimitPolicy: AccessPolicy {
    let inner: any AccessPolicy
    let registry: StreamRegistry
    let maxStreams: Int

    package init(inner: any AccessPolicy, registry: StreamRegistry, maxStreams: Int) {
        self.inner = inner
        self.registry = registry
        self.maxStreams = maxStreams
    }

    /// The inner policy first: a caller without a valid key learns nothing of which streams
    /// are open from a limit refusal.
    package func authorize(_ request: AccessRequest) async -> AccessDecision {
        let decision = await inner.authorize(request)
        guard case .allow = decision, let refusal = overLimit(request) else { return decision }
        return refusal
    }

    package func decideNow(_ request: AccessRequest) -> AccessDecision? {
        guard let decision = inner.decideNow(request) else { return nil }
        guard case .allow = decision, let refusal = overLimit(request) else { return decision }
        return refusal
    }

    private func overLimit(_ request: AccessRequest) -> AccessDecision? {
        let keys = registry.streamKeys
        guard keys.count >= maxStreams, !keys.contains(request.stream) else { return nil }
        RefusalCounter.count(request.action, reason: DenyCode.limit.metricLabel)
        return .deny(.limit, reason: "the relay carries its maximum of \(maxStreams) streams (limits.maxStreams)")
    }
}
