import Cluster
import ControlPlane
import Logging
import RelayCore

/// Who may publish and play: the timetable (or, in open mode, anyone), other nodes' pulls with
/// their signed credential, then the stream cap in front of both.
struct NodeAccess {
    /// What every listener and the HTTP media routes ask.
    let policy: any AccessPolicy
    /// Mints the credential this node's pulls present to the others (under the shared admin token).
    let pullSigner: NodePullSigner

    init(_ configuration: RelaydConfiguration, store: NodeStore, media: NodeMedia, token: String, nodeID: String, logger: Logger) {
        let timetable: any AccessPolicy
        switch configuration.authMode {
        case .open:
            logger.warning("auth.mode is 'open': anyone who can reach this relay may publish and play any stream")
            timetable = OpenAccessPolicy(defaultBandwidthKbps: configuration.playerDefaultBandwidthKbps)
        case .timetable:
            timetable = TimetableAccessPolicy(
                service: store.controlPlane, windowMinutes: configuration.authWindowMinutes, logger: Logger(label: "relay.auth")
            )
        }
        pullSigner = NodePullSigner(sharedSecret: token)
        let nodes = store.opened.store
        let peers = PeerNodePolicy(
            inner: timetable, signer: pullSigner, nodeID: nodeID, nodes: { try? await nodes.nodes() }, logger: Logger(label: "relay.cluster")
        )
        policy = configuration.limits.limiting(peers, registry: media.registry)
    }
}
