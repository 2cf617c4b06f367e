import ControlPlane
import Foundation
import Testing

/// The failed-authentication lockout, without sockets.
struct FailedAuthLimiterTests {
    @Test func locksOutAfterTheLimitWithinTheWindowAndLetsGoAfterTheLockout() {
        let limiter = FailedAuthLimiter(configuration: .init(maxFailures: 3, window: 60, lockout: 30))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        limiter.recordFailure("10.0.0.1", now: t0)
        limiter.recordFailure("10.0.0.1", now: t0.addingTimeInterval(1))
        #expect(limiter.retryAfter("10.0.0.1", now: t0.addingTimeInterval(2)) == nil)
        limiter.recordFailure("10.0.0.1", now: t0.addingTimeInterval(2))
        #expect(limiter.retryAfter("10.0.0.1", now: t0.addingTimeInterval(2)) == 30)
        #expect(limiter.retryAfter("10.0.0.1", now: t0.addingTimeInterval(31.5)) == 1)
        #expect(limiter.retryAfter("10.0.0.1", now: t0.addingTimeInterval(33)) == nil)
        #expect(limiter.retryAfter("10.0.0.2", now: t0.addingTimeInterval(2)) == nil, "other addresses are not affected")
    }

    @Test func failuresOlderThanTheWindowDoNotCount() {
        let limiter = FailedAuthLimiter(configuration: .init(maxFailures: 3, window: 60, lockout: 30))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        limiter.recordFailure("a", now: t0)
        limiter.recordFailure("a", now: t0.addingTimeInterval(10))
        limiter.recordFailure("a", now: t0.addingTimeInterval(70))
        #expect(limiter.retryAfter("a", now: t0.addingTimeInterval(70)) == nil)
    }

    @Test func aFloodFromManyAddressesKeepsTheTableBounded() {
        let limiter = FailedAuthLimiter(configuration: .init(maxFailures: 10, window: 60, lockout: 60, maxTracked: 1000))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        for i in 0..<20_000 {
            limiter.recordFailure("10.\(i / 65536).\(i / 256 % 256).\(i % 256)", now: t0.addingTimeInterval(Double(i) / 1000))
        }
        #expect(limiter.trackedAddresses <= 1000)
    }
}
