public import ControlPlane
public import Foundation
public import Logging
public import RelayCore

/// Lets another node of the service play a stream over RTMP with a ``NodePullCredential``: good
/// only for this node and the stream it names, before its expiry (checked in constant time by
/// ``NodePullSigner``), and only from a node whose heartbeat is current. The admin token is not a
/// play key. Everything else, and a credential refused, goes to the inner policy (which knows no
/// such key, so it refuses it unless `auth.mode` is open).
public struct PeerNodePolicy: AccessPolicy {
    let inner: any AccessPolicy
    let signer: NodePullSigner
    /// This node's id (`cluster.nodeId`): the only origin a credential here may name.
    let nodeID: String
    /// The nodes' heartbeat rows, read only when a credential's MAC holds (once per pull).
    let nodes: @Sendable () async -> [RelayNode]?
    let logger: Logger

    public init(
        inner: any AccessPolicy, signer: NodePullSigner, nodeID: String, nodes: @escaping @Sendable () async -> [RelayNode]?,
        logger: Logger
    ) {
        self.inner = inner
        self.signer = signer
        self.nodeID = nodeID
        self.nodes = nodes
        self.logger = logger
    }

    public func authorize(_ request: AccessRequest) async -> AccessDecision {
        guard let key = pullKey(request) else { return await inner.authorize(request) }
        switch await check(key, request, now: Date()) {
        case .success(let puller):
            logger.info("node pull admitted", metadata: ["stream": "\(request.stream)", "puller": "\(puller)"])
            return .allow(AccessGrant(schoolId: nil))
        case .failure(let reason):
            logger.notice(
                "node pull credential refused",
                metadata: ["stream": "\(request.stream)", "reason": "\(reason)", "remote": "\(request.remoteAddress)"]
            )
            return await inner.authorize(request)
        }
    }

    /// A credential needs the heartbeat rows: only ``authorize(_:)`` answers it.
    public func decideNow(_ request: AccessRequest) -> AccessDecision? {
        pullKey(request) == nil ? inner.decideNow(request) : nil
    }

    /// Why a credential is refused here, or the node that presented it.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case credential(NodePullSigner.Refusal)
        /// Its puller has no current heartbeat (unknown, stopped or dead), or the rows cannot be read.
        case pullerNotAlive

        public var description: String {
            switch self {
            case .credential(let refusal): refusal.rawValue
            case .pullerNotAlive: "puller_not_alive"
            }
        }
    }

    public func check(_ key: String, _ request: AccessRequest, now: Date) async -> Result<String, Refusal> {
        let credential: NodePullCredential
        switch signer.verify(key, origin: nodeID, stream: request.stream.description, now: now) {
        case .success(let verified): credential = verified
        case .failure(let refusal): return .failure(.credential(refusal))
        }
        guard credential.puller != nodeID,
            let rows = await nodes(),
            rows.contains(where: { $0.id == credential.puller && $0.isAlive(now: now, window: NodeHeartbeat.aliveWindow) })
        else { return .failure(.pullerNotAlive) }
        return .success(credential.puller)
    }

    /// The key of an RTMP play that is meant as a node pull credential.
    private func pullKey(_ request: AccessRequest) -> String? {
        guard request.action == .play, request.transport == .rtmp, let key = request.key, NodePullCredential.looksLikeOne(key)
        else { return nil }
        return key
    }
}
