import ControlPlane
import Foundation
import HTTPSurface
import Logging
import Media
import NIOCore
import NIOPosix
import RelayCore
import ServiceLifecycle

/// One relay node: from its configuration, the store, the media core, the listeners, the HTTP
/// surface and the cluster's services, run as one ServiceGroup until SIGTERM or SIGINT.
package struct RelayNode: Sendable {
    package let configuration: RelaydConfiguration

    package init(configuration: RelaydConfiguration) {
        self.configuration = configuration
    }

    /// Runs the node until it is signalled; throws ``RelaydError`` (or ``ConfigurationError``)
    /// with one line for why it could not start or stopped.
    package func run() async throws {
        let tls = try configuration.serverTLSConfiguration()
        let clusterTLS = try configuration.clusterTLSContext()
        NodeLogging.bootstrap(level: configuration.logLevel, format: configuration.logFormat)
        let logger = Logger(label: "relayd")
        // libav* would print per-packet notes (e.g. MPEG-TS resync) to stderr; the relay logs
        // its own reasons instead.
        FFmpegLog.setLevel(.quiet)

        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDir, withIntermediateDirectories: true)
        } catch {
            throw RelaydError("cannot create data dir \(configuration.dataDir): \(error.localizedDescription)")
        }
        let token = try AdminToken.resolve(dataDir: configuration.dataDir)
        let prometheus = RelayMetrics.bootstrap()
        let store = try await NodeStore.open(configuration)
        defer { store.postgresTask?.cancel() }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let media = NodeMedia(configuration, group: group)
        let nodeID = configuration.clusterNodeID ?? ProcessInfo.processInfo.hostName
        let access = NodeAccess(configuration, store: store, media: media, token: token.token, nodeID: nodeID, logger: logger)
        let listeners = try NodeListeners(configuration, group: group, media: media, access: access, tls: tls)
        let http = try NodeHTTP(
            configuration, group: group, store: store, media: media, access: access, listeners: listeners, token: token.token,
            prometheus: prometheus, tls: tls)
        let services = NodeServices(
            configuration, group: group, store: store, media: media, access: access, listeners: listeners, http: http, nodeID: nodeID,
            clusterTLS: clusterTLS)
        var groupConfiguration = ServiceGroupConfiguration(
            services: services.inStartOrder, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(4)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)

        NodeAnnouncer.say(token.path.map { "admin token: \($0)" } ?? "admin token: from RELAYD_ADMIN_TOKEN")
        logger.info(
            "starting",
            metadata: [
                "dataDir": "\(configuration.dataDir)", "database": "\(configuration.databaseURL.split(separator: "@").last ?? "")",
                "auth": "\(configuration.authMode.rawValue)",
            ])
        do {
            try await serviceGroup.run()
        } catch {
            try? await group.shutdownGracefully()
            throw RelaydError(NodeAnnouncer.describe(error, httpHost: configuration.host, httpPort: configuration.httpPort))
        }
        try? await group.shutdownGracefully()
        // Every thread the relay started has an owner that joined it by now.
        let left = OwnedThread.runningNames
        if left.isEmpty {
            logger.info("stopped", metadata: ["threadsLeft": "0"])
        } else {
            logger.error(
                "stopped with threads still running", metadata: ["threadsLeft": "\(left.count)", "threads": "\(left.joined(separator: ","))"])
        }
    }
}
