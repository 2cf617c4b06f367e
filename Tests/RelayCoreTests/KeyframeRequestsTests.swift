import NIOCore
import RelayCore
import Testing

@Suite("Keyframe requests")
struct KeyframeRequestsTests {
    @Test func oneRequestASecondPerRungTakenOnce() {
        let requests = KeyframeRequests(minimumInterval: .seconds(1))
        let rung = StreamKey(app: "live", name: "math_480p")
        let other = StreamKey(app: "live", name: "math_360p")
        let start = NIODeadline.now()
        #expect(!requests.take(rung), "nothing asked yet")
        #expect(requests.request(rung, now: start))
        #expect(!requests.request(rung, now: start + .milliseconds(500)), "rate-limited")
        #expect(requests.request(other, now: start + .milliseconds(500)), "per rung")
        #expect(requests.take(rung))
        #expect(!requests.take(rung), "taken once")
        #expect(requests.request(rung, now: start + .milliseconds(1001)))
        #expect(requests.take(rung))
        #expect(requests.take(other))
    }
}
