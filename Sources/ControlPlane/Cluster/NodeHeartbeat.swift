import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import RelayCore
import ServiceLifecycle

/// This node's row in the shared database, written every ``interval``: where the other nodes reach
/// it, its listeners' ports, and the streams whose publisher is connected here. On graceful
/// shutdown it writes a last-seen of zero and no streams, so the others see it gone at once; a
/// node that dies stops writing and is seen gone after ``aliveWindow``.
public final class NodeHeartbeat: Service, Sendable {
    public static let interval: Duration = .seconds(2)
    /// Three heartbeats.
    public static let aliveWindow: TimeInterval = 6

    let store: ControlStore
    let registry: StreamRegistry
    let renditions: RenditionDirectory?
    let nodeID: String
    let advertiseHost: String
    let ports: ListenerPorts
    let logger: Logger
    private let lastStreams = NIOLockedValueBox<[String]?>(nil)
    private let renewals = Counter(label: "relay_cluster_heartbeats_total")
    private let changes = Counter(label: "relay_cluster_directory_changes_total")

    public init(
        store: ControlStore, registry: StreamRegistry, renditions: RenditionDirectory?, nodeID: String, advertiseHost: String,
        ports: ListenerPorts, logger: Logger
    ) {
        self.store = store
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
            while !Task.isCancelled {
                do {
                    let row = self.row(now: Date())
                    try await self.store.saveNode(row)
                    self.renewals.increment()
                    if self.lastStreams.withLockedValue({ last in defer { last = row.streams }; return last != row.streams }) {
                        self.changes.increment()
                        self.logger.info("node streams", metadata: ["streams": "\(row.streams.joined(separator: " "))"])
                    }
                    if failing { self.logger.notice("node heartbeat written again") }
                    failing = false
                } catch {
                    if !failing { self.logger.error("node heartbeat cannot be written", metadata: ["error": "\(error)"]) }
                    failing = true
                }
                try await Task.sleep(for: Self.interval)
            }
        }
        var last = row(now: Date(timeIntervalSince1970: 0))
        last.streams = []
        try? await store.saveNode(last)
    }

    /// The row as of now: the source streams published on this node (not the rungs it makes,
    /// nor what it pulls from other nodes).
    func row(now: Date) -> RelayNode {
        let streams = registry.snapshots()
            .filter { $0.publisher.map { $0.pulledFrom == nil } ?? false && !(renditions?.isRenditionStream($0.key) ?? false) }
            .map(\.key.description).sorted()
        return RelayNode(id: nodeID, advertiseHost: advertiseHost, lastSeen: now, streams: streams, ports: ports.all)
    }
}
