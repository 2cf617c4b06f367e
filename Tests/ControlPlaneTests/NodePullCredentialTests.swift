import ControlPlane
import Foundation
import Testing

@testable import Cluster

/// The credential one node presents to another to pull a stream: good only on the node and for
/// the stream it names, before its expiry, and never the admin token it is derived from.
@Suite struct NodePullCredentialTests {
    static let token = "cluster-admin-token-0123456789abcdef"
    static let signer = NodePullSigner(sharedSecret: token)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func minted(_ puller: String = "node-b", origin: String = "node-a", stream: String = "live/math") throws -> String {
        try #require(signer.mint(puller: puller, origin: origin, stream: stream, now: now)).key
    }

    @Test func mintedVerifiesOnlyForItsNodeAndStream() throws {
        let key = try Self.minted()
        let verified = try Self.signer.verify(key, origin: "node-a", stream: "live/math", now: Self.now).get()
        #expect(verified.puller == "node-b")
        #expect(verified.expires == 1_800_000_000 + NodePullSigner.lifetime)
        #expect(Self.signer.verify(key, origin: "node-c", stream: "live/math", now: Self.now) == .failure(.badSignature), "another node")
        #expect(Self.signer.verify(key, origin: "node-a", stream: "live/physics", now: Self.now) == .failure(.badSignature), "another stream")
        #expect(Self.signer.verify(key, origin: "node-a", stream: "other/math", now: Self.now) == .failure(.badSignature), "another app")
    }

    @Test func theTextIsAPlainPlayKeyWithoutTheToken() throws {
        let key = try Self.minted("relay1.county.example")
        #expect(key.hasPrefix("pull.relay1.county.example.\(1_800_000_000 + NodePullSigner.lifetime)."))
        #expect(key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }, "\(key)")
        #expect(!key.contains(Self.token) && !key.contains(Secrets.keyHash(Self.token)))
        #expect(NodePullCredential(key: key)?.puller == "relay1.county.example", "a puller id with dots reads back")
        #expect(try Self.signer.verify(key, origin: "node-a", stream: "live/math", now: Self.now).get().puller == "relay1.county.example")
    }

    @Test func expiredAndFarFutureAreRefused() throws {
        let key = try Self.minted()
        let justBefore = Self.now.addingTimeInterval(Double(NodePullSigner.lifetime) - 1)
        let atExpiry = Self.now.addingTimeInterval(Double(NodePullSigner.lifetime))
        #expect((try? Self.signer.verify(key, origin: "node-a", stream: "live/math", now: justBefore).get()) != nil)
        #expect(Self.signer.verify(key, origin: "node-a", stream: "live/math", now: atExpiry) == .failure(.expired))
        #expect(Self.signer.verify(key, origin: "node-a", stream: "live/math", now: Self.now.addingTimeInterval(86_400)) == .failure(.expired))
        // Minted by a node whose clock runs an hour ahead: refused here, not good for an hour.
        let ahead = try #require(Self.signer.mint(puller: "node-b", origin: "node-a", stream: "live/math", now: Self.now.addingTimeInterval(3600)))
        #expect(Self.signer.verify(ahead.key, origin: "node-a", stream: "live/math", now: Self.now) == .failure(.tooFarAhead))
    }

    @Test func tamperedIsRefused() throws {
        let key = try Self.minted()
        let credential = try #require(NodePullCredential(key: key))
        func verify(_ text: String) -> Result<NodePullCredential, NodePullSigner.Refusal> {
            Self.signer.verify(text, origin: "node-a", stream: "live/math", now: Self.now)
        }
        // Another puller, a later expiry, each byte of the MAC flipped in turn.
        #expect(verify(NodePullCredential(puller: "node-c", expires: credential.expires, mac: credential.mac).key) == .failure(.badSignature))
        #expect(verify(NodePullCredential(puller: "node-b", expires: credential.expires + 60, mac: credential.mac).key) == .failure(.badSignature))
        for index in credential.mac.indices {
            var mac = credential.mac
            mac[index] ^= 0x01
            #expect(verify(NodePullCredential(puller: "node-b", expires: credential.expires, mac: mac).key) == .failure(.badSignature))
        }
        // Minted under another secret (a node of another service).
        let stranger = try #require(
            NodePullSigner(sharedSecret: "another-service-token-0123456789ab").mint(
                puller: "node-b", origin: "node-a", stream: "live/math", now: Self.now))
        #expect(verify(stranger.key) == .failure(.badSignature))
        // Not a credential at all, or mangled.
        for text in [
            Self.token, "", "pull.", "pull.node-b", "pull.node-b.1800000300", "pull..1800000300." + key.split(separator: ".").last!,
            "pull.node-b.-5." + key.split(separator: ".").last!, "pull.node-b.1800000300.AAAA", key + "A", key + "=",
            "pull.node b.1800000300." + key.split(separator: ".").last!, key.replacingOccurrences(of: "pull.", with: "PULL."),
        ] {
            #expect(verify(text) == .failure(.malformed), "\(text)")
        }
        // An empty shared secret signs nothing and accepts nothing.
        let empty = NodePullSigner(sharedSecret: "")
        #expect(empty.mint(puller: "node-b", origin: "node-a", stream: "live/math", now: Self.now) == nil)
        #expect(empty.verify(key, origin: "node-a", stream: "live/math", now: Self.now) == .failure(.malformed))
        #expect(
            Self.signer.mint(puller: "node b", origin: "node-a", stream: "live/math", now: Self.now) == nil, "no credential for an id it cannot carry"
        )
    }

    @Test func macComparisonIsCorrect() {
        let a = [UInt8](repeating: 7, count: 32)
        var last = a
        last[31] = 8
        var first = a
        first[0] = 8
        #expect(NodePullSigner.constantTimeEquals(a, a))
        #expect(!NodePullSigner.constantTimeEquals(a, last))
        #expect(!NodePullSigner.constantTimeEquals(a, first))
        #expect(!NodePullSigner.constantTimeEquals(a, Array(a.prefix(31))))
        #expect(NodePullSigner.constantTimeEquals([], []))
    }

    /// A MAC differing in its first byte takes as long to refuse as one differing in its last
    /// (an early-exit comparison takes about 32 times longer for the last): the fastest of five
    /// rounds of each, interleaved, within a factor of 2.
    @Test func macComparisonTakesTheSameTimeWhereverTheBytesDiffer() {
        let reference = (0..<32).map { UInt8($0) }
        var early = reference
        early[0] ^= 0xFF
        var late = reference
        late[31] ^= 0xFF
        func time(_ other: [UInt8]) -> Duration {
            let clock = ContinuousClock()
            var equal = 0
            let took = clock.measure {
                for _ in 0..<50_000 where NodePullSigner.constantTimeEquals(reference, other) { equal += 1 }
            }
            #expect(equal == 0)
            return took
        }
        var fastest = (early: Duration.seconds(100), late: Duration.seconds(100))
        for _ in 0..<5 {
            fastest.early = min(fastest.early, time(early))
            fastest.late = min(fastest.late, time(late))
        }
        let ratio = fastest.late / fastest.early
        print("node pull MAC compare: differing first byte \(fastest.early), last byte \(fastest.late) per 50000 (ratio \(ratio))")
        #expect(ratio < 2 && ratio > 0.5, "ratio \(ratio)")
    }
}
