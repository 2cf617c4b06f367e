import Logging
import NIOCore
import NIOSSL
import RTMP
import RelayCore
import SRT
import WebRTC

/// The media listeners: RTMP (and RTMPS when configured), SRT and WebRTC (UDP and ICE-TCP).
struct NodeListeners {
    let rtmp: RTMPServer
    let rtmps: RTMPServer?
    let srt: SRTServer
    let webrtc: WebRTCServer

    init(_ configuration: RelaydConfiguration, group: any EventLoopGroup, media: NodeMedia, access: NodeAccess, tls: TLSConfiguration?) throws {
        let rtmpConfiguration = configuration.rtmpSessionConfiguration
        let session = RTMPSessionContext(
            configuration: rtmpConfiguration,
            registry: media.registry,
            flushSchedulers: FlushSchedulerPool(interval: .milliseconds(Int64(configuration.rtmpFlushIntervalMs))),
            accessPolicy: access.policy,
            logger: Logger(label: "relay.rtmp"),
            renditions: media.renditions
        )
        rtmp = RTMPServer(
            host: configuration.host, port: configuration.rtmpPort, group: group, session: session,
            onListening: { address in NodeAnnouncer.announce("rtmp", address) }
        )
        srt = SRTServer(
            host: configuration.host, port: configuration.srtPort, configuration: configuration.srtConfiguration, registry: media.registry,
            accessPolicy: access.policy, logger: Logger(label: "relay.srt"), renditions: media.renditions,
            onListening: { host, port in
                NodeAnnouncer.listenerPorts.record("srt", port: port)
                NodeAnnouncer.say("listening srt=\(host.contains(":") ? "[\(host)]" : host):\(port)")
            }
        )
        do {
            webrtc = try WebRTCServer(
                configuration: configuration.webRTCConfiguration, group: group, registry: media.registry, renditions: media.renditions,
                stages: media.stages, logger: Logger(label: "relay.webrtc"), onListening: { name, address in NodeAnnouncer.announce(name, address) }
            )
        } catch {
            throw RelaydError("cannot start WebRTC: \(error)")
        }
        let rtmp = self.rtmp
        rtmps = try configuration.tls.rtmpsPort.map { port in
            try RTMPSListener.make(
                host: configuration.host, port: port, group: group, session: session, limiter: rtmp.limiter, tls: tls!,
                onListening: { address in NodeAnnouncer.announce("rtmps", address) }
            )
        }
    }

    /// What the core has close its connections when it ends every stream.
    var drains: [any ConnectionDrain] { [rtmp, srt, webrtc] + (rtmps.map { [$0] } ?? []) }
}
