import Foundation
import Logging
import NIOConcurrencyHelpers
import RelayCore
import Testing

@testable import SRT

/// What libsrt's listen callback answers, without a socket: the streamid parsed, the policy
/// asked from memory, a refusal as the reject reason the caller will see, a grant kept for the
/// accept loop, and every caller refused once the relay stops accepting.
struct SRTAdmissionTests {
    /// Allows `live/math` with the key `good`; denies the rest with the code the request earns.
    struct Policy: AccessPolicy {
        var answersNow = true
        let asked = NIOLockedValueBox<[AccessRequest]>([])

        func authorize(_ request: AccessRequest) async -> AccessDecision {
            decide(request)
        }

        func decideNow(_ request: AccessRequest) -> AccessDecision? {
            answersNow ? decide(request) : nil
        }

        func decide(_ request: AccessRequest) -> AccessDecision {
            asked.withLockedValue { $0.append(request) }
            guard request.stream.name == "math" else { return .deny(.unknownClass, reason: "no class") }
            guard request.key == "good" else { return .deny(.badKey, reason: "bad key") }
            return .allow(AccessGrant(schoolId: "site-1", bandwidthKbps: 3000))
        }
    }

    static func admission(_ policy: Policy, timeout: Double = 2) -> SRTAdmission {
        SRTAdmission(policy: policy, timeout: timeout, logger: Logger(label: "test"), renditions: nil)
    }

    @Test func refusalsCarryTheRejectReasonTheCallerSees() {
        let policy = Policy()
        let admission = Self.admission(policy)
        #expect(admission.decide(socket: 1, streamid: nil, remote: "10.0.0.1:1") == SRTRejectCode.badRequest, "no streamid")
        #expect(admission.decide(socket: 2, streamid: "#!::m=request", remote: "r") == SRTRejectCode.badRequest, "no resource")
        #expect(admission.decide(socket: 3, streamid: "#!::r=live/other,m=request,s=good", remote: "r") == SRTRejectCode.notFound)
        #expect(admission.decide(socket: 4, streamid: "#!::r=live/math,m=request,s=bad", remote: "r") == SRTRejectCode.forbidden)
        #expect(admission.take(3) == nil && admission.take(4) == nil, "nothing kept for a refused caller")
        #expect(policy.asked.withLockedValue { $0.count } == 2, "a streamid that does not parse never reaches the policy")
    }

    @Test func aGrantIsKeptOnceForTheAcceptLoop() throws {
        let policy = Policy()
        let admission = Self.admission(policy)
        #expect(admission.decide(socket: 7, streamid: "#!::r=live/math,m=request,s=good", remote: "10.0.0.2:5000") == nil)
        let admitted = try #require(admission.take(7))
        #expect(admitted.grant.schoolId == "site-1" && admitted.grant.bandwidthKbps == 3000)
        #expect(admitted.streamID.stream == StreamKey(app: "live", name: "math") && admitted.streamID.mode == .request)
        #expect(admission.take(7) == nil, "taken once")
        let request = try #require(policy.asked.withLockedValue { $0.last })
        #expect(request.action == .play && request.transport == .srt && request.remoteAddress == "10.0.0.2:5000")
    }

    @Test func publishingToARungIsRefusedBeforeThePolicy() {
        let policy = Policy()
        let ladder = RenditionDirectory(ladderNames: ["360p"])
        let admission = SRTAdmission(policy: policy, timeout: 2, logger: Logger(label: "test"), renditions: ladder)
        #expect(admission.decide(socket: 1, streamid: "#!::r=live/math_360p,m=publish,s=good", remote: "r") == SRTRejectCode.badRequest)
        #expect(policy.asked.withLockedValue { $0.isEmpty })
    }

    @Test func aPolicyThatCannotAnswerNowIsWaitedForUpToTheTimeout() {
        let admission = Self.admission(Policy(answersNow: false), timeout: 2)
        #expect(admission.decide(socket: 1, streamid: "#!::r=live/math,m=request,s=good", remote: "r") == nil, "answered by authorize")
    }

    @Test func onceTheRelayStopsAcceptingEveryCallerIsRefusedAsUnavailable() {
        let policy = Policy()
        let admission = Self.admission(policy)
        admission.stopAccepting()
        #expect(admission.decide(socket: 1, streamid: "#!::r=live/math,m=request,s=good", remote: "r") == SRTRejectCode.unavailable)
        #expect(admission.take(1) == nil)
        #expect(policy.asked.withLockedValue { $0.isEmpty }, "not even asked")
    }
}
