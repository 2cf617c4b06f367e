import Cluster
import ControlPlane
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The node's services in the order they start; they stop in the reverse: the cluster's
/// heartbeat first (the other nodes see this one gone), then pulls and recorders (each recording
/// writes its end), then the listeners, which only stop accepting; then the core ends every
/// stream and closes what the listeners left; then HTTP (whose long responses the core ended);
/// the database last.
struct NodeServices {
    let inStartOrder: [ServiceGroupConfiguration.ServiceConfiguration]

    init(
        _ configuration: RelaydConfiguration, group: any EventLoopGroup, store: NodeStore, media: NodeMedia, access: NodeAccess,
        listeners: NodeListeners, http: NodeHTTP, nodeID: String, clusterTLS: NIOSSLContext?
    ) {
        let core = RelayCoreService(
            registry: media.registry, transcoders: media.transcoders, hls: http.hls, listeners: listeners.drains,
            logger: Logger(label: "relay.core")
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: DatabaseService(store: store.opened.store, client: store.postgresTask)),
            .init(service: TimetableSnapshotService(service: store.controlPlane, logger: Logger(label: "relay.auth"))),
            .init(service: http.application), .init(service: core), .init(service: listeners.rtmp), .init(service: listeners.srt),
            .init(service: listeners.webrtc),
        ]
        if let rtmps = listeners.rtmps { services.append(.init(service: rtmps)) }
        if let recordings = http.recordings { services.append(.init(service: recordings)) }
        if configuration.reportsEnabled {
            // Stops before the core ends the streams: each open session's end is written.
            services.append(
                .init(
                    service: FactsRecorder(
                        service: store.controlPlane, registry: media.registry, settings: configuration.factsSettings(nodeID: nodeID),
                        logger: Logger(label: "relay.reports")
                    )))
        }
        let pulls = NodePulls(
            store: store.opened.store, registry: media.registry, renditions: media.renditions, nodeID: nodeID, signer: access.pullSigner,
            tls: clusterTLS, upstreams: configuration.clusterUpstreams, group: group, changes: store.opened.changes,
            logger: Logger(label: "relay.cluster")
        )
        let heartbeat = NodeHeartbeat(
            store: store.opened.store, registry: media.registry, renditions: media.renditions, nodeID: nodeID,
            advertiseHost: configuration.clusterAdvertiseHost ?? (configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host),
            ports: NodeAnnouncer.listenerPorts, changes: store.opened.changes, logger: Logger(label: "relay.cluster")
        )
        services += [.init(service: pulls), .init(service: heartbeat)]
        services.append(
            .init(
                service: ProgramStagePoll(
                    classroom: http.classroom, registry: media.registry, board: media.stages,
                    grace: .seconds(configuration.publisherGraceSeconds))))
        inStartOrder = services
    }
}
