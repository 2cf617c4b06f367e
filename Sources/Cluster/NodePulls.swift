package import ControlPlane
import Foundation
package import Logging
import Metrics
import NIOConcurrencyHelpers
package import NIOCore
import NIOPosix
package import NIOSSL
import RTMP
package import RelayCore
import ServiceLifecycle

/// Several nodes, one service: when players here want a class whose publisher is on another
/// node (that node's heartbeat lists the stream), this node plays it from there over RTMP (RTMPS
/// with `cluster.tls`) with a credential good only for that node, that stream and a few minutes
/// (``NodePullCredential``; never the admin token), once, and fans it out to all its players; the pull stops 10 s after
/// the last player here left. Transcoding happens once, at the origin: a player of a rung here
/// (`<classId>_360p`) makes this node pull that rung, and a pulled source is not transcoded again.
/// A pull that ends (the origin died, the publisher moved) is tried again each second from
/// whichever alive node then lists the stream, while players here wait out the publisher's grace.
///
/// Levels (`cluster.upstream`): a stream no node here has is pulled the same way from a
/// higher-level service (a county's relay from its city's), presenting the key configured for
/// it, so the upstream's own access rules decide; upstreams are tried in turn, one every
/// `upstreamRetrySeconds` per stream while players here wait.
package final class NodePulls: Service, Sendable {
    static let interval: Duration = .seconds(1)
    static let idleSeconds: TimeInterval = 10
    static let upstreamRetrySeconds: TimeInterval = 3

    struct Pull: Sendable {
        let handler: RTMPPullHandler
        let origin: String
        var idleSince: Date?
    }

    let store: ControlStore
    let registry: StreamRegistry
    let renditions: RenditionDirectory
    let nodeID: String
    let signer: NodePullSigner
    /// `cluster.tls`: pull from the other nodes' `rtmps` port through this client context
    /// (nil: plain RTMP from their `rtmp` port).
    let tls: NIOSSLContext?
    let upstreams: [PullOrigin]
    let group: any EventLoopGroup
    let logger: Logger
    let changes: any ChangeFeed
    private let running = NIOLockedValueBox<[StreamKey: Pull]>([:])
    private let active = Gauge(label: "relay_cluster_pulls_active")
    /// Per stream wanted from upstream: when it may be tried next, and which upstream then.
    private let upstreamAttempts = NIOLockedValueBox<[StreamKey: (next: Date, index: Int)]>([:])

    package init(
        store: ControlStore, registry: StreamRegistry, renditions: RenditionDirectory, nodeID: String, signer: NodePullSigner,
        tls: NIOSSLContext? = nil, upstreams: [PullOrigin] = [], group: any EventLoopGroup, changes: any ChangeFeed, logger: Logger
    ) {
        self.upstreams = upstreams
        self.store = store
        self.changes = changes
        self.registry = registry
        self.renditions = renditions
        self.nodeID = nodeID
        self.signer = signer
        self.tls = tls
        self.group = group
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeID)"
        self.logger = logger
    }

    package func run() async throws {
        // Each second, and at once when another node's published streams change.
        await cancelWhenGracefulShutdown {
            await self.changes.run(every: Self.interval, on: .directory) { await self.tick(now: Date()) }
        }
        for pull in running.withLockedValue({ map in
            defer { map.removeAll() }
            return Array(map.values)
        }) { pull.handler.stop() }
    }

    /// Viewers here per stream (a source or one of its rungs), and the sources published here by
    /// a publisher of this node's own (whose rungs this node's transcoder makes).
    func demand() -> (viewers: [StreamKey: Int], local: Set<StreamKey>) {
        var viewers: [StreamKey: Int] = [:]
        var local = Set<StreamKey>()
        for snapshot in registry.snapshots() where snapshot.key.app == "live" {
            viewers[snapshot.key, default: 0] += snapshot.viewers.count
            if let publisher = snapshot.publisher, publisher.pulledFrom == nil, !renditions.isRenditionStream(snapshot.key) {
                local.insert(snapshot.key)
            }
        }
        return (viewers, local)
    }

    /// The source a stream is (itself) or is a rung of.
    func source(of key: StreamKey) -> StreamKey {
        guard renditions.isRenditionStream(key) else { return key }
        return StreamKey(app: key.app, name: Rendition.split(name: key.name, ladder: renditions.ladderNames).base)
    }

    func tick(now: Date) async {
        let (viewers, local) = demand()
        // Idle pulls stop; pulls of a stream that got its own publisher here were evicted already.
        let idle = running.withLockedValue { map -> [RTMPPullHandler] in
            var stopping: [RTMPPullHandler] = []
            for (key, var pull) in map {
                if viewers[key, default: 0] > 0 {
                    pull.idleSince = nil
                } else if let since = pull.idleSince, now.timeIntervalSince(since) >= Self.idleSeconds {
                    stopping.append(pull.handler)
                    map[key] = nil
                    continue
                } else if pull.idleSince == nil {
                    pull.idleSince = now
                }
                map[key] = pull
            }
            return stopping
        }
        for handler in idle { handler.stop() }
        active.record(running.withLockedValue { $0.count })
        let wanted = viewers.filter { $0.value > 0 && !local.contains(source(of: $0.key)) }.map(\.key)
            .filter { key in running.withLockedValue { $0[key] == nil } }
        guard !wanted.isEmpty, let nodes = try? await store.nodes() else { return }
        upstreamAttempts.withLockedValue { attempts in attempts = attempts.filter { wanted.contains($0.key) } }
        for key in wanted {
            let origin = source(of: key).description
            let origins = nodes.filter { $0.id != nodeID && $0.isAlive(now: now, window: NodeHeartbeat.aliveWindow) && $0.streams.contains(origin) }
            if let origin = origins.max(by: { $0.lastSeen < $1.lastSeen }) {
                // Over TLS only where the node lists an RTMPS port: never back to plain RTMP.
                guard let port = origin.ports[tls == nil ? "rtmp" : "rtmps"],
                    let credential = signer.mint(puller: nodeID, origin: origin.id, stream: source(of: key).description, now: now)
                else { continue }
                let node = PullOrigin(host: origin.advertiseHost, port: port, app: "live", key: credential.key)
                start(key, from: node, originID: origin.id, tls: tls, "pulling from another node")
            } else if let upstream = nextUpstream(for: key, now: now) {
                start(key, from: upstream, originID: "upstream \(upstream)", tls: nil, "pulling from upstream")
            }
        }
    }

    /// The upstream to try `key` from now, if any is configured and its turn has come.
    private func nextUpstream(for key: StreamKey, now: Date) -> PullOrigin? {
        guard !upstreams.isEmpty else { return nil }
        let count = upstreams.count
        return upstreamAttempts.withLockedValue { attempts in
            let attempt = attempts[key] ?? (next: now, index: 0)
            guard now >= attempt.next else { return nil }
            attempts[key] = (next: now.addingTimeInterval(Self.upstreamRetrySeconds), index: attempt.index + 1)
            return upstreams[attempt.index % count]
        }
    }

    private func start(_ key: StreamKey, from origin: PullOrigin, originID: String, tls: NIOSSLContext?, _ message: Logger.Message) {
        guard let url = RTMPURL(origin.playURL(key.name)) else { return }
        let running = self.running
        let handler = RTMPPullHandler(url: url, stream: key, registry: registry, origin: originID, logger: logger) { _ in
            running.withLockedValue { map in
                if map[key]?.origin == originID { map[key] = nil }
            }
        }
        running.withLockedValue { $0[key] = Pull(handler: handler, origin: originID, idleSince: nil) }
        logger.info(message, metadata: ["stream": "\(key)", "from": "\(originID)", "host": "\(origin)"])
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(3))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: ClusterTLS.serverHostname(url.host))
                        )
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        RTMPClientHandshakeHandler(), ByteToMessageHandler(RTMPChunkDecoder()), handler,
                    ])
                }
            }
            .connect(host: url.host, port: url.port)
            .whenFailure { [logger] error in
                logger.notice("pull could not connect", metadata: ["stream": "\(key)", "from": "\(originID)", "error": "\(error)"])
                running.withLockedValue { map in
                    if map[key]?.handler === handler { map[key] = nil }
                }
            }
    }
}
