import ControlPlane
import Crypto
public import Foundation

/// Mints and checks ``NodePullCredential``s. The nodes of one service share
/// `RELAYD_ADMIN_TOKEN`; the MAC key is derived from it (HKDF-SHA256 with the label
/// ``label``), so a credential never carries the token nor lets anyone recover it. The MAC
/// (HMAC-SHA256) covers the puller's node id, the serving node's id, the stream and the expiry:
/// a credential is good only on the node it names, for the stream it names, for
/// ``lifetime`` seconds.
public struct NodePullSigner: Sendable {
    public static let label = "classroomrelay node pull v1"
    /// How long a minted credential is good for (it only starts a pull: a running pull is not cut
    /// when it expires).
    public static let lifetime: Int64 = 300
    /// The furthest ahead an expiry is accepted: the lifetime plus five minutes of clock skew.
    public static let maxAhead: Int64 = 600

    /// Why a credential was refused (for logs and counts; never the credential itself).
    public enum Refusal: String, Error, Sendable, Equatable {
        /// Not `pull.<node>.<expires>.<mac>`.
        case malformed
        case expired
        /// Expires further ahead than any node mints.
        case tooFarAhead = "too_far_ahead"
        /// The MAC does not match: another stream, another node, altered, or not minted with the
        /// shared secret.
        case badSignature = "bad_signature"
    }

    private let key: SymmetricKey

    /// `sharedSecret`: the admin token the nodes share. An empty secret signs nothing (``mint``
    /// returns nil, ``verify`` refuses everything).
    public init(sharedSecret: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array(sharedSecret.utf8)), info: Array(Self.label.utf8), outputByteCount: 32
        )
        isUsable = !sharedSecret.isEmpty
    }

    private let isUsable: Bool

    /// A credential for `puller` to play `stream` (`live/<name>`, the source, not a rung) from
    /// node `origin`, good until `now` + ``lifetime``; nil when `puller` is not a valid node id.
    public func mint(puller: String, origin: String, stream: String, now: Date) -> NodePullCredential? {
        guard isUsable, NodePullCredential.isValidNodeID(puller) else { return nil }
        let expires = Int64(now.timeIntervalSince1970.rounded(.down)) + Self.lifetime
        return NodePullCredential(puller: puller, expires: expires, mac: mac(puller: puller, origin: origin, stream: stream, expires: expires))
    }

    /// Checks `key` as presented to node `origin` (this node) to play `stream`; the credential
    /// when it is good (its `puller` still to be checked against the nodes' heartbeats).
    public func verify(_ key: String, origin: String, stream: String, now: Date) -> Result<NodePullCredential, Refusal> {
        guard isUsable, let credential = NodePullCredential(key: key) else { return .failure(.malformed) }
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        // The MAC first, so a forger learns nothing from the other answers.
        let expected = mac(puller: credential.puller, origin: origin, stream: stream, expires: credential.expires)
        guard Self.constantTimeEquals(expected, credential.mac) else { return .failure(.badSignature) }
        guard seconds < credential.expires else { return .failure(.expired) }
        guard credential.expires - seconds <= Self.maxAhead else { return .failure(.tooFarAhead) }
        return .success(credential)
    }

    /// Equal bytes, in time that depends only on the lengths.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// HMAC-SHA256 over the label and each field with its length in front (no two field lists
    /// give the same bytes).
    private func mac(puller: String, origin: String, stream: String, expires: Int64) -> [UInt8] {
        var message = Array(Self.label.utf8)
        for field in [puller, origin, stream, String(expires)] {
            let bytes = Array(field.utf8)
            message += [UInt8(truncatingIfNeeded: bytes.count >> 8), UInt8(truncatingIfNeeded: bytes.count)]
            message += bytes
        }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
    }
}
