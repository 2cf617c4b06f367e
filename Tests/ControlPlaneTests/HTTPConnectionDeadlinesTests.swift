import ControlPlane
import NIOCore
import Testing

@testable import HTTPSurface

/// The header and idle deadlines of an HTTP/1 connection, without sockets or clocks.
@Suite struct HTTPConnectionDeadlinesTests {
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    static func at(_ seconds: Double) -> NIODeadline { t0 + .nanoseconds(Int64(seconds * 1e9)) }
    static func fresh() -> HTTPConnectionDeadlines {
        HTTPConnectionDeadlines(headTimeout: .seconds(10), idleTimeout: .seconds(30), openedAt: t0)
    }

    @Test func aNewConnectionHasTheHeaderTimeoutForItsFirstHeadWhateverBytesItSends() {
        var d = Self.fresh()
        #expect(d.deadline == Self.at(10))
        let changed1 = d.bytesRead(at: Self.at(9))
        #expect(!changed1, "bytes of an unfinished head do not extend it")
        #expect(d.expired(at: Self.at(9.9)) == nil)
        #expect(d.expired(at: Self.at(10)) == .headerTimeout)
    }

    @Test func noDeadlineWhileAnsweringThenIdleThenTheNextHeadFromItsFirstByte() {
        var d = Self.fresh()
        d.headRead()
        #expect(d.deadline == nil)
        #expect(d.expired(at: Self.at(3600)) == nil, "a long response (HTTP-FLV) is never cut")
        let changed2 = d.bytesRead(at: Self.at(100))
        #expect(!changed2, "a request body does not start a deadline")
        let changed3 = d.responseEnded(at: Self.at(100))
        #expect(changed3)
        #expect(d.waiting == .nextRequest && d.deadline == Self.at(130))
        #expect(d.expired(at: Self.at(129)) == nil)
        let changed4 = d.bytesRead(at: Self.at(120))
        #expect(changed4, "the next request's first byte")
        #expect(d.deadline == Self.at(130) && d.waiting == .head)
        #expect(d.expired(at: Self.at(130)) == .headerTimeout)
        var idle = Self.fresh()
        idle.headRead()
        _ = idle.responseEnded(at: Self.at(1))
        #expect(idle.expired(at: Self.at(31)) == .idleTimeout)
    }

    @Test func pipelinedRequestsGoIdleOnlyAfterTheLastResponse() {
        var d = Self.fresh()
        d.headRead()
        d.headRead()
        let changed5 = d.responseEnded(at: Self.at(1))
        #expect(!changed5)
        #expect(d.deadline == nil)
        let changed6 = d.responseEnded(at: Self.at(2))
        #expect(changed6)
        #expect(d.deadline == Self.at(32))
        let changed7 = d.responseEnded(at: Self.at(3))
        #expect(!changed7, "a stray end changes nothing")
        #expect(d.deadline == Self.at(32))
    }
}
