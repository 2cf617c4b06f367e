import NIOCore
import Testing

@testable import WebRTC

/// The offer rate per IP and the caps on unconnected sessions, as a value fed offers and time.
@Suite("Offer admission")
struct OfferAdmissionTests {
    @Test func aBurstThenTheSustainedRateThenRetryAfter() {
        var admission = OfferAdmission(limits: WebRTCOfferLimits())
        let now = NIODeadline.now()
        let burst = (0..<30).map { _ in admission.admit(ip: "10.0.0.1", key: "a", unconnectedForKey: 0, unconnectedForIP: 0, now: now) }
        #expect(burst.allSatisfy { $0 == nil })
        #expect(admission.admit(ip: "10.0.0.1", key: "a", unconnectedForKey: 0, unconnectedForIP: 0, now: now) == .offerRate(retryAfter: 1))
        // Another address has its own bucket; 10 per second come back.
        #expect(admission.admit(ip: "10.0.0.2", key: "a", unconnectedForKey: 0, unconnectedForIP: 0, now: now) == nil)
        let later = now + .milliseconds(500)
        let refilled = (0..<6).map { _ in admission.admit(ip: "10.0.0.1", key: "a", unconnectedForKey: 0, unconnectedForIP: 0, now: later) }
        #expect(refilled.filter { $0 == nil }.count == 5)
    }

    @Test func capsOnUnconnectedSessionsPerKeyAndPerIP() {
        var admission = OfferAdmission(limits: WebRTCOfferLimits())
        let now = NIODeadline.now()
        #expect(admission.admit(ip: "10.0.0.1", key: "a", unconnectedForKey: 20, unconnectedForIP: 3, now: now) == .unconnectedPerKey)
        #expect(admission.admit(ip: "10.0.0.1", key: "a", unconnectedForKey: 3, unconnectedForIP: 20, now: now) == .unconnectedPerIP)
        #expect(admission.admit(ip: "10.0.0.1", key: nil, unconnectedForKey: 99, unconnectedForIP: 19, now: now) == nil, "no key: the IP's cap only")
    }

    @Test func quietAddressesAreForgotten() {
        var admission = OfferAdmission(limits: WebRTCOfferLimits())
        let now = NIODeadline.now()
        for n in 0..<100 { _ = admission.admit(ip: "10.0.1.\(n)", key: nil, unconnectedForKey: 0, unconnectedForIP: 0, now: now) }
        admission.prune(now: now + .seconds(1))
        #expect(admission.trackedAddresses == 100)
        admission.prune(now: now + .seconds(4))
        #expect(admission.trackedAddresses == 0)
    }
}
