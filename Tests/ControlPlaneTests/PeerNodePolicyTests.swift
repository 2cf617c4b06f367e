import ControlPlane
import Foundation
import Logging
import RelayCore
import Testing

@testable import Cluster

/// The serving side of a pull between nodes: a credential for this node and the stream asked
/// for, from a node with a current heartbeat, plays; anything else is what the inner policy
/// makes of an unknown key (here: refused), and the admin token is no play key.
@Suite struct PeerNodePolicyTests {
    struct Refusing: AccessPolicy {
        func authorize(_ request: AccessRequest) async -> AccessDecision { .deny(.badKey, reason: "unknown key") }
        func decideNow(_ request: AccessRequest) -> AccessDecision? { .deny(.badKey, reason: "unknown key") }
    }

    static let token = "cluster-admin-token-0123456789abcdef"
    static let signer = NodePullSigner(sharedSecret: token)

    static func policy(rows: [RelayNode]?) -> PeerNodePolicy {
        PeerNodePolicy(inner: Refusing(), signer: signer, nodeID: "node-a", nodes: { rows }, logger: Logger(label: "test"))
    }

    static func row(_ id: String, seen: Date) -> RelayNode {
        RelayNode(id: id, advertiseHost: "127.0.0.1", lastSeen: seen, streams: [], ports: ["rtmp": 1935])
    }

    static func play(_ name: String, key: String?, transport: AccessRequest.Transport = .rtmp, action: AccessRequest.Action = .play) -> AccessRequest
    {
        AccessRequest(action: action, transport: transport, stream: StreamKey(app: "live", name: name), key: key, remoteAddress: "127.0.0.1")
    }

    static func allowed(_ decision: AccessDecision) -> Bool {
        if case .allow = decision { return true }
        return false
    }

    @Test func aCurrentNodesCredentialPlaysItsStreamHereOnly() async throws {
        let now = Date()
        let key = try #require(Self.signer.mint(puller: "node-b", origin: "node-a", stream: "live/math", now: now)).key
        let policy = Self.policy(rows: [Self.row("node-a", seen: now), Self.row("node-b", seen: now)])
        #expect(Self.allowed(await policy.authorize(Self.play("math", key: key))))
        #expect(policy.decideNow(Self.play("math", key: key)) == nil, "needs the heartbeats: decided by authorize")
        #expect(!Self.allowed(await policy.authorize(Self.play("physics", key: key))), "another stream")
        #expect(!Self.allowed(await policy.authorize(Self.play("math", key: key, action: .publish))), "a publish")
        #expect(!Self.allowed(await policy.authorize(Self.play("math", key: key, transport: .hls))), "another transport")
        #expect(!Self.allowed(await policy.authorize(Self.play("math", key: key, transport: .srt))))
        // The same credential at node-c.
        let atC = PeerNodePolicy(
            inner: Refusing(), signer: Self.signer, nodeID: "node-c", nodes: { [Self.row("node-b", seen: now)] }, logger: Logger(label: "test")
        )
        #expect(!Self.allowed(await atC.authorize(Self.play("math", key: key))), "another node")
        #expect(await policy.check(key, Self.play("math", key: key), now: now) == .success("node-b"))
    }

    @Test func onlyFromANodeWithACurrentHeartbeat() async throws {
        let now = Date()
        let key = try #require(Self.signer.mint(puller: "node-b", origin: "node-a", stream: "live/math", now: now)).key
        let stale = Self.policy(rows: [Self.row("node-b", seen: now.addingTimeInterval(-NodeHeartbeat.aliveWindow - 1))])
        #expect(!Self.allowed(await stale.authorize(Self.play("math", key: key))), "its heartbeat stopped")
        #expect(await stale.check(key, Self.play("math", key: key), now: now) == .failure(.pullerNotAlive))
        let stopped = Self.policy(rows: [Self.row("node-b", seen: Date(timeIntervalSince1970: 0))])
        #expect(!Self.allowed(await stopped.authorize(Self.play("math", key: key))), "stopped gracefully")
        let unknown = Self.policy(rows: [Self.row("node-c", seen: now)])
        #expect(!Self.allowed(await unknown.authorize(Self.play("math", key: key))), "no row of its own")
        let unreadable = Self.policy(rows: nil)
        #expect(!Self.allowed(await unreadable.authorize(Self.play("math", key: key))), "the rows cannot be read")
        // A credential naming this node as the puller.
        let own = try #require(Self.signer.mint(puller: "node-a", origin: "node-a", stream: "live/math", now: now)).key
        #expect(!Self.allowed(await Self.policy(rows: [Self.row("node-a", seen: now)]).authorize(Self.play("math", key: own))))
    }

    @Test func theAdminTokenIsNoPlayKey() async {
        let policy = Self.policy(rows: [Self.row("node-b", seen: Date())])
        for transport in [AccessRequest.Transport.rtmp, .srt, .hls, .webrtc, .flv] {
            #expect(!Self.allowed(await policy.authorize(Self.play("math", key: Self.token, transport: transport))), "\(transport)")
        }
        #expect(policy.decideNow(Self.play("math", key: Self.token)) == .deny(.badKey, reason: "unknown key"), "to the inner policy")
    }
}
