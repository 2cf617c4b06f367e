import ArgumentParser
import Cluster
import ControlPlane
import Foundation
import HLS
import HTTPSurface
import Hummingbird
import Logging
import Media
import NIOCore
import NIOPosix
import RTMP
import Recording
import RelayCore
import SRT
import ServiceLifecycle
import Transcode
import WebRTC

@main
struct Relayd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayd",
        abstract: "ClassroomRelay: live lesson relay for the three classrooms (RTMP, SRT and WHIP in; RTMP, SRT, WHEP, HLS and HTTP-FLV out)."
    )

    @Option(help: "YAML config file (default: configs/relayd.yaml when present).")
    var config: String?
    @Option(help: "Data directory (default ./var).")
    var dataDir: String?
    @Option(help: "Address to listen on (default 0.0.0.0).")
    var host: String?
    @Option(help: "RTMP port (default 1935).")
    var rtmpPort: Int?
    @Option(help: "SRT port (default 10080).")
    var srtPort: Int?
    @Option(help: "HTTP API port (default 8080).")
    var httpPort: Int?
    @Option(help: "WebRTC media port, UDP and ICE-TCP (default 8189; 0 picks free ones).")
    var webrtcPort: Int?
    @Option(help: "Database URL: sqlite:PATH or postgres://... (default sqlite:<data-dir>/relay.db).")
    var database: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String?

    static func main() async {
        do {
            // `parseAsRoot` answers --help and --version with a command of its own; `parse` throws
            // for them instead, and `exit(withError:)` below prints the help and exits 0.
            let command = try parse()
            try await command.run()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("relayd: config: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as RelaydError {
            FileHandle.standardError.write(Data("relayd: \(error)\n".utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data("relayd: \(fullMessage(for: error))\n".utf8))
            Foundation.exit(2)
        }
    }

    func resolvedConfiguration() throws -> RelaydConfiguration {
        var configuration = RelaydConfiguration()
        let path = config ?? (FileManager.default.fileExists(atPath: "configs/relayd.yaml") ? "configs/relayd.yaml" : nil)
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError(key: "", problem: "cannot read config file \(path)")
            }
            do {
                try configuration.apply(yaml: text)
            } catch {
                throw ConfigurationError(key: error.key, problem: "\(error.problem) (in \(path))")
            }
        }
        if let dataDir { configuration.dataDir = dataDir }
        if let host { configuration.host = host }
        if let rtmpPort { configuration.rtmpPort = try Self.checkPort(rtmpPort, "--rtmp-port") }
        if let srtPort { configuration.srtPort = try Self.checkPort(srtPort, "--srt-port") }
        if let httpPort { configuration.httpPort = try Self.checkPort(httpPort, "--http-port") }
        if let webrtcPort {
            // One number for both, as the defaults have it (ICE-TCP stays off where the config turned it off).
            configuration.webrtcPort = try Self.checkPort(webrtcPort, "--webrtc-port")
            configuration.webrtcTCPPort = configuration.webrtcTCPPort.map { _ in webrtcPort }
        }
        if let database { configuration.database = database }
        if let logLevel {
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ConfigurationError(key: "--log-level", problem: "unknown level '\(logLevel)'")
            }
            configuration.logLevel = logLevel
        }
        guard
            configuration.databaseURL.hasPrefix("sqlite:") || configuration.databaseURL.hasPrefix("postgres://")
                || configuration.databaseURL.hasPrefix("postgresql://")
        else {
            throw ConfigurationError(key: "database", problem: "must be sqlite:PATH or postgres://..., got '\(configuration.databaseURL)'")
        }
        return configuration
    }

    static func checkPort(_ port: Int, _ flag: String) throws -> Int {
        guard (0...65535).contains(port) else {
            throw ConfigurationError(key: flag, problem: "must be between 0 and 65535, got \(port)")
        }
        return port
    }

    func run() async throws {
        let configuration = try resolvedConfiguration()
        let tls = try configuration.serverTLSConfiguration()
        let clusterTLS = try configuration.clusterTLSContext()
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        let json = configuration.logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
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

        // The store: SQLite under the data dir, or PostgreSQL.
        let opened: StoreFactory.Opened
        do {
            opened = try await StoreFactory.open(url: configuration.databaseURL, logger: Logger(label: "relay.store"))
        } catch {
            throw RelaydError("\(error)")
        }
        let postgresTask = opened.postgres.map { client in Task { await client.run() } }
        defer { postgresTask?.cancel() }
        do {
            try await opened.store.migrate()
        } catch {
            throw RelaydError("cannot prepare the database: \(error)")
        }
        let controlPlane = ControlPlaneService(
            store: opened.store, timeZone: TimeZone(identifier: configuration.timeZone)!, changes: opened.changes,
            logger: Logger(label: "relay.api")
        )
        do {
            // Access decisions read this snapshot, never the database (kept fresh by every change
            // and by TimetableSnapshotService).
            try await controlPlane.reloadSnapshot()
        } catch {
            throw RelaydError("cannot read the timetable: \(error)")
        }

        let policy: any AccessPolicy
        switch configuration.authMode {
        case .open:
            logger.warning("auth.mode is 'open': anyone who can reach this relay may publish and play any stream")
            policy = OpenAccessPolicy(defaultBandwidthKbps: configuration.playerDefaultBandwidthKbps)
        case .timetable:
            policy = TimetableAccessPolicy(
                service: controlPlane, windowMinutes: configuration.authWindowMinutes, logger: Logger(label: "relay.auth")
            )
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let chunkSize = configuration.rtmpChunkSize
        let registry = StreamRegistry(
            configuration: .init(publisherGrace: .seconds(Int64(configuration.publisherGraceSeconds))),
            timerLoop: group.next(),
            makeFramer: {
                let framer = RTMPSegmentFramer(chunkSize: chunkSize)
                return { framer.frame(&$0) }
            },
            logger: Logger(label: "relay.streams")
        )
        let renditions = RenditionDirectory(
            ladderNames: configuration.transcodeEnabled ? Set(configuration.transcodeLadder.map(\.name)) : [],
            observer: { RelayMetrics.record($0) }
        )
        // Each class's stage, as its transcoder composes the program from it.
        let stages = ProgramStageBoard()
        let transcoders = TranscoderPool(
            registry: registry, directory: renditions,
            settings: TranscodeSettings(
                // Transcoding off: no rungs, only the class's program while its stage is not empty.
                ladder: configuration.transcodeEnabled ? configuration.transcodeLadder : [],
                preset: configuration.transcodePreset, tune: configuration.transcodeTune,
                gopSeconds: Double(configuration.transcodeGopSeconds),
                transcodesReturnFeeds: configuration.transcodeEnabled && configuration.transcodeReturnFeeds,
                rungPresets: configuration.transcodeRungPresets,
                sourceServesItsSize: configuration.transcodeSourceServesItsSize
            ),
            logger: Logger(label: "relay.transcode"), stages: stages
        )
        transcoders.install()
        // Other nodes pull with a credential minted under the shared admin token; then the
        // limits; then the timetable.
        let nodeID = configuration.clusterNodeID ?? ProcessInfo.processInfo.hostName
        let pullSigner = NodePullSigner(sharedSecret: token.token)
        let store = opened.store
        let peers = PeerNodePolicy(
            inner: policy, signer: pullSigner, nodeID: nodeID, nodes: { try? await store.nodes() }, logger: Logger(label: "relay.cluster")
        )
        let limitedPolicy = configuration.limits.limiting(peers, registry: registry)
        var rtmpConfiguration = RTMPSessionConfiguration()
        rtmpConfiguration.defaultBandwidthKbps = configuration.playerDefaultBandwidthKbps
        rtmpConfiguration.renditionSelection.stepDownBacklogMillis = UInt32(configuration.playerStepDownBacklogMs)
        rtmpConfiguration.renditionSelection.stepUpAfter = .seconds(Int64(configuration.playerStepUpSeconds))
        rtmpConfiguration.outChunkSize = configuration.rtmpChunkSize
        rtmpConfiguration.handshakeTimeout = .seconds(Int64(configuration.rtmpHandshakeTimeoutSeconds))
        rtmpConfiguration.idleTimeout = .seconds(Int64(configuration.rtmpIdleTimeoutSeconds))
        rtmpConfiguration.playerQueueLimits = .init(maxMillis: UInt32(configuration.playerMaxBacklogMs))
        rtmpConfiguration.playerStallTimeout = .seconds(Int64(configuration.playerStallTimeoutSeconds))
        configuration.limits.apply(to: &rtmpConfiguration)
        let session = RTMPSessionContext(
            configuration: rtmpConfiguration,
            registry: registry,
            flushSchedulers: FlushSchedulerPool(interval: .milliseconds(Int64(configuration.rtmpFlushIntervalMs))),
            accessPolicy: limitedPolicy,
            logger: Logger(label: "relay.rtmp"),
            renditions: renditions
        )
        let rtmp = RTMPServer(
            host: configuration.host, port: configuration.rtmpPort, group: group, session: session,
            onListening: { address in Self.announce("rtmp", address) }
        )

        var srtConfiguration = SRTConfiguration()
        srtConfiguration.latencyMs = configuration.srtLatencyMs
        srtConfiguration.passphrase = configuration.srtPassphrase
        srtConfiguration.pbkeylen = configuration.srtPbkeylen
        srtConfiguration.maxBandwidth = configuration.srtMaxBandwidth.map { Int64($0) }
        srtConfiguration.playerStallTimeoutSeconds = Double(configuration.playerStallTimeoutSeconds)
        srtConfiguration.defaultBandwidthKbps = configuration.playerDefaultBandwidthKbps
        srtConfiguration.renditionSelection = rtmpConfiguration.renditionSelection
        let srt = SRTServer(
            host: configuration.host, port: configuration.srtPort, configuration: srtConfiguration, registry: registry,
            accessPolicy: limitedPolicy, logger: Logger(label: "relay.srt"), renditions: renditions,
            onListening: { host, port in
                Self.listenerPorts.record("srt", port: port)
                Self.say("listening srt=\(host.contains(":") ? "[\(host)]" : host):\(port)")
            }
        )

        var webrtcConfiguration = WebRTCConfiguration()
        webrtcConfiguration.host = configuration.host
        webrtcConfiguration.port = configuration.webrtcPort
        webrtcConfiguration.tcpPort = configuration.webrtcTCPPort
        webrtcConfiguration.publicAddresses = configuration.webrtcPublicAddresses
        webrtcConfiguration.maxSessions = configuration.limits.maxWebRTCSessions
        webrtcConfiguration.maxTCPConnectionsPerIP = configuration.limits.maxConnectionsPerIP
        webrtcConfiguration.admission.maxUnconnectedPerKey = configuration.limits.maxUnconnectedWebRTCPerKey
        webrtcConfiguration.admission.maxUnconnectedPerIP = configuration.limits.maxUnconnectedWebRTCPerIP
        webrtcConfiguration.admission.offersPerSecondPerIP = configuration.limits.webrtcOffersPerSecondPerIP
        webrtcConfiguration.admission.offerBurstPerIP = 3 * configuration.limits.webrtcOffersPerSecondPerIP
        webrtcConfiguration.renditionSelection.stepUpAfter = rtmpConfiguration.renditionSelection.stepUpAfter
        let webrtc: WebRTCServer
        do {
            webrtc = try WebRTCServer(
                configuration: webrtcConfiguration, group: group, registry: registry, renditions: renditions, stages: stages,
                logger: Logger(label: "relay.webrtc"), onListening: { name, address in Self.announce(name, address) }
            )
        } catch {
            throw RelaydError("cannot start WebRTC: \(error)")
        }

        var api = ControlPlaneAPI(
            service: controlPlane, adminToken: token.token, registry: registry,
            metrics: RelayMetrics(prometheus: prometheus, registry: registry), renditions: renditions
        )
        configuration.limits.apply(to: &api)
        api.webRTC = (host: webrtc, policy: limitedPolicy)
        api.secureCookies = configuration.httpSecureCookies ?? configuration.tls.http
        api.listeners = Self.listenerPorts
        api.flvDefaultBandwidthKbps = configuration.playerDefaultBandwidthKbps
        api.flvRenditionSelection = rtmpConfiguration.renditionSelection
        var recordingSettings = RecordingService.Settings(directory: configuration.dataDir + "/recordings")
        recordingSettings.keepDays = configuration.recordingKeepDays
        recordingSettings.maxDiskMB = configuration.recordingMaxDiskMB
        recordingSettings.overrun = Double(configuration.authWindowMinutes * 60)
        let recordings =
            configuration.recordingEnabled
            ? RecordingService(
                service: controlPlane, registry: registry, factory: FragmentedMP4RecorderFactory(logger: Logger(label: "relay.recording")),
                settings: recordingSettings, logger: Logger(label: "relay.recording")
            ) : nil
        api.recordings = recordings
        var classroom = ClassroomService(service: controlPlane, windowMinutes: configuration.authWindowMinutes)
        classroom.stageObserver = { classId, stage in stages.set(classId, stage) }
        api.classroom = classroom
        api.reportWindow = Double(configuration.authWindowMinutes * 60)
        let hls = HLSPackager(registry: registry, renditions: renditions, logger: Logger(label: "relay.hls"))
        api.hls = (host: hls, policy: limitedPolicy)
        let http = Application(
            router: api.makeRouter(),
            server: try configuration.httpServerBuilder(
                tls,
                limiter: ConnectionLimiter(
                    transport: "http", maxTotal: configuration.limits.maxConnections,
                    maxPerAddress: configuration.limits.maxConnectionsPerIP, logger: Logger(label: "relay.http")
                )
            ),
            // A listen queue as long as the connection budget (the kernel caps it at somaxconn): a
            // burst of connections (a flood, every site's page at a class's start) is queued, not
            // dropped, so a client's SYN is not retried a second later.
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.httpPort), serverName: "relayd",
                backlog: min(max(256, configuration.limits.maxConnections), 4096)
            ),
            onServerRunning: { channel in
                if let address = channel.localAddress { Self.announce(configuration.tls.http ? "https" : "http", address) }
            },
            eventLoopGroupProvider: .shared(group),
            logger: Logger(label: "relay.http")
        )

        let rtmps = try configuration.tls.rtmpsPort.map { port in
            try RTMPSListener.make(
                host: configuration.host, port: port, group: group, session: session, limiter: rtmp.limiter, tls: tls!,
                onListening: { address in Self.announce("rtmps", address) }
            )
        }
        // Services stop in the reverse of this order: the cluster's heartbeat first (the other
        // nodes see this one gone), then pulls and recorders (each recording writes its end),
        // then the listeners, which only stop accepting; then the core ends every stream and
        // closes what the listeners left; then HTTP (whose long responses the core ended); the
        // database last.
        let listeners: [any ConnectionDrain] = [rtmp, srt, webrtc] + (rtmps.map { [$0] } ?? [])
        let core = RelayCoreService(
            registry: registry, transcoders: transcoders, hls: hls, listeners: listeners, logger: Logger(label: "relay.core")
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: DatabaseService(store: opened.store, client: postgresTask)),
            .init(service: TimetableSnapshotService(service: controlPlane, logger: Logger(label: "relay.auth"))),
            .init(service: http), .init(service: core), .init(service: rtmp), .init(service: srt), .init(service: webrtc),
        ]
        if let rtmps { services.append(.init(service: rtmps)) }
        if let recordings { services.append(.init(service: recordings)) }
        if configuration.reportsEnabled {
            // Stops before the core ends the streams: each open session's end is written.
            var facts = FactsRecorder.Settings(nodeId: nodeID)
            facts.flushInterval = .seconds(configuration.reportsFlushSeconds)
            facts.pollInterval = .seconds(min(2, configuration.reportsFlushSeconds))
            facts.keepDays = configuration.reportsKeepDays
            facts.window = Double(configuration.authWindowMinutes * 60)
            services.append(
                .init(
                    service: FactsRecorder(
                        service: controlPlane, registry: registry, settings: facts, logger: Logger(label: "relay.reports")
                    )))
        }
        let pulls = NodePulls(
            store: opened.store, registry: registry, renditions: renditions, nodeID: nodeID, signer: pullSigner,
            tls: clusterTLS, upstreams: configuration.clusterUpstreams, group: group, changes: opened.changes, logger: Logger(label: "relay.cluster")
        )
        let heartbeat = NodeHeartbeat(
            store: opened.store, registry: registry, renditions: renditions, nodeID: nodeID,
            advertiseHost: configuration.clusterAdvertiseHost ?? (configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host),
            ports: Self.listenerPorts, changes: opened.changes, logger: Logger(label: "relay.cluster")
        )
        services += [.init(service: pulls), .init(service: heartbeat)]
        services.append(
            .init(
                service: ProgramStagePoll(
                    classroom: classroom, registry: registry, board: stages, grace: .seconds(configuration.publisherGraceSeconds))))
        var groupConfiguration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(4)
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)

        if let path = token.path {
            Self.say("admin token: \(path)")
        } else {
            Self.say("admin token: from RELAYD_ADMIN_TOKEN")
        }
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
            throw RelaydError(Self.describe(error, httpHost: configuration.host, httpPort: configuration.httpPort))
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

    /// One line for why the service group stopped.
    static func describe(_ error: any Error, httpHost: String, httpPort: Int) -> String {
        if let listen = error as? ListenError { return listen.description }
        if let io = error as? IOError {
            // Hummingbird's bind failure.
            return "cannot listen for http on \(httpHost):\(httpPort): \(String(cString: strerror(io.errnoCode)))"
        }
        return "\(error)".split(separator: "\n").first.map(String.init) ?? "stopped on an error"
    }

    /// Every listener's port as bound, for `/healthz`.
    static let listenerPorts = ListenerPorts()

    static func announce(_ name: String, _ address: SocketAddress) {
        if let port = address.port { listenerPorts.record(name, port: port) }
        let host = address.ipAddress ?? "?"
        let shown = address.protocol == .inet6 ? "[\(host)]" : host
        say("listening \(name)=\(shown):\(address.port ?? 0)")
    }

    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
