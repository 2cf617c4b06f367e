public import ControlPlane
public import Foundation
public import Logging
import Metrics
import NIOConcurrencyHelpers
public import RelayCore
public import ServiceLifecycle

/// This node's row in the shared database, written every ``interval``: where the other nodes reach
/// it, its listeners' ports, and the streams whose publisher is connected here. When those
/// streams change (a publish starts or ends here) the row is written within ``changeCheck`` and
/// the change announced (PostgreSQL NOTIFY), so the other nodes' pulls follow at once. On graceful
/// shutdown it writes a last-seen of zero and no streams, so the others see it gone at once; a
/// node that dies stops writing and is seen gone after ``aliveWindow``.
public final class NodeHeartbeat: Service, Sendable {
    public static let interval: Duration = .seconds(2)
    /// Three heartbeats.
    public static let aliveWindow: TimeInterval = 6
    /// How often the local streams are compared with the last row written.
    public static let changeCheck: Duration = .milliseconds(200)

    let store: ControlStore
    let registry: StreamRegistry
    let renditions: RenditionDirectory?
    let nodeID: String
    let advertiseHost: String
    let ports: ListenerPorts
    let logger: Logger
    let feed: any ChangeFeed
    private let lastStreams = NIOLockedValueBox<[String]?>(nil)
    private let renewals = Counter(label: "relay_cluster_heartbeats_total")
    private let changes = Counter(label: "relay_cluster_directory_changes_total")

    public init(
        store: ControlStore, registry: StreamRegistry, renditions: RenditionDirectory?, nodeID: String, advertiseHost: String,
        ports: ListenerPorts, changes: any ChangeFeed = NoChangeFeed(), logger: Logger
    ) {
        self.store = store
        self.feed = changes
        self.registry = registry
        self.renditions = renditions
        self.nodeID = nodeID
        self.advertiseHost = advertiseHost
        self.ports = ports
        var logger = logger
        logger[metadataKey: "node"] = "\(nodeID)"
        self.logger = logger
    }

    public func run() async throws {
        logger.info("cluster node", metadata: ["node": "\(nodeID)", "advertiseHost": "\(advertiseHost)"])
        try? await cancelWhenGracefulShutdown {
            var failing = false
            var written = ContinuousClock.now - Self.interval
            while !Task.isCancelled {
                let row = self.row(now: Date())
                let changed = self.lastStreams.withLockedValue { $0 } != row.streams
                if changed || ContinuousClock.now - written >= Self.interval {
                    do {
                        try await self.store.saveNode(row)
                        written = ContinuousClock.now
                        self.renewals.increment()
                        if changed {
                            self.lastStreams.withLockedValue { $0 = row.streams }
                            self.changes.increment()
                            self.logger.info("node streams", metadata: ["streams": "\(row.streams.joined(separator: " "))"])
                            await self.feed.announce(.directory(node: self.nodeID))
                        }
                        if failing { self.logger.notice("node heartbeat written again") }
                        failing = false
                    } catch {
                        if !failing { self.logger.error("node heartbeat cannot be written", metadata: ["error": "\(error)"]) }
                        failing = true
                        written = ContinuousClock.now  // tried again at the next interval, not every check
                    }
                }
                try await Task.sleep(for: Self.changeCheck)
            }
        }
        var last = row(now: Date(timeIntervalSince1970: 0))
        last.streams = []
        try? await store.saveNode(last)
        await feed.announce(.directory(node: nodeID))
    }

    /// The row as of now: the source streams published on this node (not the rungs it makes,
    /// nor what it pulls from other nodes).
    func row(now: Date) -> RelayNode {
        // Checked every `changeCheck`: only the publishers are read, not a snapshot of each stream's viewers.
        let streams = registry.streamKeys
            .filter { registry.stream($0)?.publisher.map { $0.pulledFrom == nil } ?? false && !(renditions?.isRenditionStream($0) ?? false) }
            .map(\.description).sorted()
        return RelayNode(id: nodeID, advertiseHost: advertiseHost, lastSeen: now, streams: streams, ports: ports.all)
    }
}
