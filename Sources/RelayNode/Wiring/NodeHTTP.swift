import ControlPlane
import HLS
import HTTPSurface
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Prometheus
import RTMP
import Recording
import RelayCore

/// The HTTP surface: the REST API, the media routes (HLS, HTTP-FLV, WHEP/WHIP), the pages and
/// /metrics on one Hummingbird application, with the recordings and the HLS packager behind them.
struct NodeHTTP {
    let application: Application<RouterResponder<RelayRequestContext>>
    let hls: HLSPackager
    let recordings: RecordingService?
    let classroom: ClassroomService

    init(
        _ configuration: RelaydConfiguration, group: any EventLoopGroup, store: NodeStore, media: NodeMedia, access: NodeAccess,
        listeners: NodeListeners, token: String, prometheus: PrometheusCollectorRegistry, tls: TLSConfiguration?
    ) throws {
        let controlPlane = store.controlPlane
        var api = ControlPlaneAPI(
            service: controlPlane, adminToken: token, registry: media.registry,
            metrics: RelayMetrics(prometheus: prometheus, registry: media.registry), renditions: media.renditions
        )
        configuration.limits.apply(to: &api)
        api.webRTC = (host: listeners.webrtc, policy: access.policy)
        api.secureCookies = configuration.httpSecureCookies ?? configuration.tls.http
        api.listeners = NodeAnnouncer.listenerPorts
        api.flvDefaultBandwidthKbps = configuration.playerDefaultBandwidthKbps
        api.flvRenditionSelection = configuration.renditionSelection
        recordings =
            configuration.recordingEnabled
            ? RecordingService(
                service: controlPlane, registry: media.registry,
                factory: FragmentedMP4RecorderFactory(logger: Logger(label: "relay.recording")),
                settings: configuration.recordingSettings, logger: Logger(label: "relay.recording")
            ) : nil
        api.recordings = recordings
        var classroom = ClassroomService(service: controlPlane, windowMinutes: configuration.authWindowMinutes)
        let stages = media.stages
        let hls = HLSPackager(registry: media.registry, renditions: media.renditions, stages: stages, logger: Logger(label: "relay.hls"))
        classroom.stageObserver = { classId, stage in
            stages.set(classId, stage)
            hls.stageChanged(classId: classId)
        }
        self.classroom = classroom
        api.classroom = classroom
        api.reportWindow = Double(configuration.authWindowMinutes * 60)
        self.hls = hls
        api.hls = (host: hls, policy: access.policy)
        let https = configuration.tls.http
        application = Application(
            router: api.makeRouter(),
            server: try configuration.httpServerBuilder(
                tls,
                limiter: ConnectionLimiter(
                    transport: "http", maxTotal: configuration.limits.maxConnections,
                    maxPerAddress: configuration.limits.maxConnectionsPerIP, logger: Logger(label: "relay.http")
                )
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.httpPort), serverName: "relayd",
                backlog: configuration.httpListenBacklog
            ),
            onServerRunning: { channel in
                if let address = channel.localAddress { NodeAnnouncer.announce(https ? "https" : "http", address) }
            },
            eventLoopGroupProvider: .shared(group),
            logger: Logger(label: "relay.http")
        )
    }
}
