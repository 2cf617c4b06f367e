import Foundation
public import Logging
import Metrics
import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix
public import RelayCore
public import ServiceLifecycle

/// The SFU leg: one UDP socket (`webrtc.port`) shared by every WebRTC session, ICE-lite, DTLS
/// and SRTP per viewer, and the shared per-stream feeds. A `Service` of relayd's group; the
/// WHEP routes reach it as a ``WebRTCPlaybackHost``.
///
/// Owns its event loop's runtime (every session and feed), the DTLS context, the thread pool
/// that joins retired feeds' threads, and the socket. On graceful shutdown `run` only stops
/// accepting; ``closeConnections(grace:)`` (the relay's core service, after ending the streams)
/// ends every session (close_notify), stops every feed and joins its threads.
public final class WebRTCServer: Service, ConnectionDrain, WebRTCPlaybackHost {
    private let configuration: WebRTCConfiguration
    private let loop: any EventLoop
    private let runtime: NIOLoopBoundBox<WebRTCRuntime>
    private let dtls: DTLSContext
    private let threadPool = NIOThreadPool(numberOfThreads: 1)
    /// Feeds being stopped on the thread pool, awaited at shutdown.
    private let retiring = NIOLockedValueBox<[ObjectIdentifier: EventLoopFuture<Void>]>([:])
    private let candidates = NIOLockedValueBox<[ICECandidate]>([])
    private let renditions: RenditionDirectory?
    private let logger: Logger
    private let onListening: @Sendable (String, SocketAddress) -> Void
    /// The UDP socket and the session ticker while serving; `run` and `closeConnections` can meet in any order.
    private let lifecycle = ListenerLifecycle<Serving>()

    private struct Serving: Sendable {
        let channel: any Channel
        let ticker: RepeatedTask
    }

    public init(
        configuration: WebRTCConfiguration, group: any EventLoopGroup, registry: StreamRegistry, renditions: RenditionDirectory?,
        stages: ProgramStageBoard? = nil, logger: Logger, onListening: @escaping @Sendable (String, SocketAddress) -> Void = { _, _ in }
    ) throws {
        self.configuration = configuration
        self.renditions = renditions
        self.logger = logger
        self.onListening = onListening
        dtls = try DTLSContext(certificate: try DTLSCertificate())
        let loop = group.next()
        self.loop = loop
        let threadPool = self.threadPool
        let retiring = self.retiring
        let runtimeLogger = logger
        runtime = NIOLoopBoundBox.makeBoxSendingValue(
            WebRTCRuntime(
                loop: loop, registry: registry, renditions: renditions, stages: stages, configuration: configuration, logger: runtimeLogger,
                retire: { feed in
                    let id = ObjectIdentifier(feed)
                    let done = threadPool.runIfActive(eventLoop: loop) { feed.stop() }
                    retiring.withLockedValue { $0[id] = done }
                    done.whenComplete { _ in retiring.withLockedValue { _ = $0.removeValue(forKey: id) } }
                }
            ),
            eventLoop: loop
        )
    }

    public func run() async throws {
        guard lifecycle.begin() else { return }  // closed before it started: nothing to serve
        threadPool.start()
        let runtime = self.runtime
        let channel: any Channel
        let tcp: (any Channel)?
        do {
            channel = try await bind()
            do { tcp = try await bindTCP() } catch {
                try? await channel.close()
                throw error
            }
        } catch {
            lifecycle.failedToStart()
            try? await threadPool.shutdownGracefully()
            throw error
        }
        try? await loop.submit { runtime.value.routes.udp = channel }.get()
        let ticker = loop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in
            runtime.value.tick()
        }
        let serving = Serving(channel: channel, ticker: ticker)
        guard lifecycle.serve(serving) else {
            try? await tcp?.close()
            await stop(serving)
            return
        }
        if let address = channel.localAddress {
            let tcpPort = tcp?.localAddress?.port
            candidates.withLockedValue {
                $0 = Self.candidates(configuration: configuration, port: address.port ?? configuration.port, tcpPort: tcpPort)
            }
            onListening("webrtc", address)
            if let tcpAddress = tcp?.localAddress { onListening("webrtc-tcp", tcpAddress) }
        }
        try? await gracefulShutdown()
        // Stop accepting: offers are refused and the ICE-TCP listener closes; sessions go on
        // until the core has ended the streams and calls closeConnections.
        try? await tcp?.close()
        try? await loop.submit { runtime.value.accepting = false }.get()
        logger.info("webrtc: no longer accepting")
    }

    /// Ends every session (close_notify), stops every feed and joins its threads, closes the socket.
    public func closeConnections(grace: Duration) async {
        // Not started, or still starting (then `run` stops what it started).
        guard let serving = lifecycle.close() else { return }
        await stop(serving)
    }

    private func stop(_ serving: Serving) async {
        let runtime = self.runtime
        try? await loop.submit {
            serving.ticker.cancel()
            runtime.value.shutdown()
            runtime.value.routes.closeTCP()
        }.get()
        for done in retiring.withLockedValue({ Array($0.values) }) { try? await done.get() }
        try? await serving.channel.close()
        try? await threadPool.shutdownGracefully()
        logger.info("webrtc stopped")
    }

    /// Datagrams taken from the socket in one `recvmmsg`.
    static let datagramsPerRead = 32

    private func bind() async throws -> any Channel {
        let runtime = self.runtime
        do {
            return try await DatagramBootstrap(group: loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelOption(.socketOption(.so_sndbuf), value: 4 << 20)
                .channelOption(.datagramVectorReadMessageCount, value: Self.datagramsPerRead)
                // A vector read splits one buffer between its messages: 2 KiB each holds any
                // datagram of a 1500-byte MTU (NIO's default, 2 KiB for all 32, cut them to 64 B).
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.datagramsPerRead * 2048))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(WebRTCDatagramHandler(runtime: runtime.value))
                    }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw WebRTCServerError.cannotListen(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
    }

    /// ICE-TCP passive on `webrtc.tcpPort` (nil: none), its connections on the runtime's loop.
    private func bindTCP() async throws -> (any Channel)? {
        guard let port = configuration.tcpPort else { return nil }
        let runtime = self.runtime
        let idleTimeout = configuration.tcpIdleTimeout
        let logger = self.logger
        do {
            return try await ServerBootstrap(group: loop, childGroup: loop)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    // Over the per-IP cap: closed before any byte is read (the loop is the runtime's).
                    let ip = channel.remoteAddress?.ipAddress ?? "?"
                    guard runtime.value.admitTCP(ip) else {
                        Self.refusedTCP(ip, runtime: runtime.value, logger: logger)
                        return channel.eventLoop.makeFailedFuture(ChannelError.inputClosed)
                    }
                    channel.closeFuture.whenComplete { _ in runtime.value.releaseTCP(ip) }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(ICETCPFramer()), MessageToByteHandler(ICETCPFrameEncoder()),
                            ICETCPConnectionHandler(runtime: runtime.value, idleTimeout: idleTimeout),
                        ])
                    }
                }
                .bind(host: configuration.host, port: port).get()
        } catch {
            throw WebRTCServerError.cannotListen(host: configuration.host, port: port, reason: "(tcp) \(error)")
        }
    }

    /// Counts an ICE-TCP connection refused at the per-IP cap in
    /// `relay_connections_refused_total{protocol="webrtc-tcp"}`; logged at most once a second.
    private static func refusedTCP(_ ip: String, runtime: WebRTCRuntime, logger: Logger) {
        Metrics.Counter(label: "relay_connections_refused_total", dimensions: [("protocol", "webrtc-tcp"), ("reason", "max_connections_per_ip")])
            .increment()
        runtime.refusedTCPSinceLog += 1
        let now = NIODeadline.now()
        guard now - runtime.lastTCPRefusalLog >= .seconds(1) else { return }
        logger.warning(
            "refusing ice-tcp connections",
            metadata: [
                "remote": "\(ip)", "reason": "max_connections_per_ip", "refused": "\(runtime.refusedTCPSinceLog)",
                "maxPerIP": "\(runtime.configuration.maxTCPConnectionsPerIP)",
            ])
        runtime.refusedTCPSinceLog = 0
        runtime.lastTCPRefusalLog = now
    }

    // MARK: WebRTCPlaybackHost

    public func startPlayback(_ request: WebRTCPlaybackRequest) async throws -> WebRTCAnswer {
        let negotiated: NegotiatedSession
        do {
            let offer = try SessionDescription.parse(request.offer)
            negotiated = try SendNegotiation.negotiate(offer: offer, preferredH264ProfileIDC: 0x64)
        } catch {
            throw WebRTCOfferError(.badOffer, "the offer cannot be answered: \(error)")
        }
        let playback = choosePlayback(request)
        let runtime = self.runtime
        let dtls = self.dtls
        let candidates = self.candidates.withLockedValue { $0 }
        let maxSessions = configuration.maxSessions
        let logger = self.logger
        return try await loop.submit { () throws -> WebRTCAnswer in
            let runtime = runtime.value
            let transport = try Self.admit(request, runtime: runtime, dtls: dtls, maxSessions: maxSessions, logger: logger)
            let session = WebRTCSession(
                id: WebRTCSessionID.make(), source: request.stream, grant: request.grant, local: ICECredentials.random(),
                negotiated: negotiated, dtls: transport, playback: playback, configuration: .init(), now: .now(), wallClock: Date(),
                logger: logger
            )
            if request.limited { session.origin = (request.grant.schoolId, request.remoteAddress) }
            runtime.add(session)
            let answer = SDPAnswer.render(negotiated, local: session.localDescription(fingerprint: dtls.fingerprint, candidates: candidates))
            logger.info(
                "webrtc session offered",
                metadata: [
                    "session": "\(WebRTCSessionID.digest(session.id))", "stream": "\(request.stream)", "rendition": "\(playback.playing)",
                    "adaptive": "\(playback.adaptive)", "site": "\(request.grant.schoolId ?? "-")", "remote": "\(request.remoteAddress)",
                ])
            return WebRTCAnswer(sessionID: session.id, sdp: answer)
        }.get()
    }

    public func startIngest(_ request: WebRTCPlaybackRequest) async throws -> WebRTCAnswer {
        let negotiated: NegotiatedSession
        do {
            let offer = try SessionDescription.parse(request.offer)
            negotiated = try ReceiveNegotiation.negotiate(offer: offer)
        } catch {
            throw WebRTCOfferError(.badOffer, "the offer cannot be answered: \(error)")
        }
        guard negotiated.video != nil else { throw WebRTCOfferError(.badOffer, "a WHIP publisher must send H.264 video") }
        let runtime = self.runtime
        let dtls = self.dtls
        let candidates = self.candidates.withLockedValue { $0 }
        let maxSessions = configuration.maxSessions
        let logger = self.logger
        let loop = self.loop
        return try await loop.submit { () throws -> WebRTCAnswer in
            let runtime = runtime.value
            let transport = try Self.admit(request, runtime: runtime, dtls: dtls, maxSessions: maxSessions, logger: logger)
            let id = WebRTCSessionID.make()
            var sessionLogger = logger
            sessionLogger[metadataKey: "session"] = "\(WebRTCSessionID.digest(id))"
            sessionLogger[metadataKey: "stream"] = "\(request.stream)"
            let registry = runtime.registry
            let box = self.runtime
            let publisher = WHIPPublisher { reason in loop.execute { _ = box.value.endSession(id: id, reason: reason) } }
            let info = PublisherInfo(transport: .webrtc, schoolId: request.grant.schoolId)
            let ingest: WHIPIngest
            do {
                ingest = try WHIPIngest(stream: request.stream, negotiated: negotiated, logger: sessionLogger) {
                    registry.attachPublisher(publisher, to: request.stream, info: info)
                }
            } catch {
                throw WebRTCOfferError(.unavailable, "the audio transcoder could not start: \(error)")
            }
            let session = WebRTCSession(
                id: id, source: request.stream, grant: request.grant, local: ICECredentials.random(),
                negotiated: negotiated, dtls: transport, playback: PlaybackChoice(playing: "source", adaptive: false),
                configuration: .init(), now: .now(), wallClock: Date(), logger: logger
            )
            session.ingest = ingest
            if request.limited { session.origin = (request.grant.schoolId, request.remoteAddress) }
            runtime.add(session)
            let answer = SDPAnswer.render(negotiated, local: session.localDescription(fingerprint: dtls.fingerprint, candidates: candidates))
            logger.info(
                "whip publish offered",
                metadata: [
                    "session": "\(WebRTCSessionID.digest(id))", "stream": "\(request.stream)", "school": "\(request.grant.schoolId ?? "-")",
                    "remote": "\(request.remoteAddress)",
                ])
            return WebRTCAnswer(sessionID: id, sdp: answer)
        }.get()
    }

    public func endSession(id: String) async -> Bool {
        let runtime = self.runtime
        return (try? await loop.submit { runtime.value.endSession(id: id, reason: "the viewer ended the session (DELETE)") }.get()) ?? false
    }

    public func hasSession(id: String) async -> Bool {
        let runtime = self.runtime
        return (try? await loop.submit { runtime.value.sessions[id] != nil }.get()) ?? false
    }

    /// A new session's DTLS transport, when the media server runs, the offer is within its
    /// address's rate and its key's and address's caps on unconnected sessions, and there is room
    /// for one more (on its loop).
    private static func admit(
        _ request: WebRTCPlaybackRequest, runtime: WebRTCRuntime, dtls: DTLSContext, maxSessions: Int, logger: Logger
    ) throws(WebRTCOfferError) -> DTLSTransport {
        guard runtime.output != nil else { throw WebRTCOfferError(.unavailable, "the WebRTC media server is not running") }
        guard runtime.accepting else { throw WebRTCOfferError(.unavailable, "the relay is shutting down") }
        if request.limited {
            let now = NIODeadline.now()
            let key = request.grant.schoolId
            let held = runtime.unconnected(key: key, ip: request.remoteAddress)
            if let refusal = runtime.admission.admit(
                ip: request.remoteAddress, key: key, unconnectedForKey: held.key, unconnectedForIP: held.ip, now: now
            ) {
                refused(refusal.reason, request, runtime: runtime, now: now, logger: logger)
                let limits = runtime.admission.limits
                switch refusal {
                case .offerRate(let retryAfter):
                    throw WebRTCOfferError(
                        .tooManyOffers, "too many WebRTC offers from this address (\(limits.offersPerSecondPerIP)/s); try again in \(retryAfter) s",
                        retryAfter: retryAfter
                    )
                case .unconnectedPerKey:
                    throw WebRTCOfferError(
                        .tooManyUnconnected,
                        "this key has \(limits.maxUnconnectedPerKey) WebRTC sessions still connecting (limits.maxUnconnectedWebRTCPerKey); connect or end them first",
                        retryAfter: 5
                    )
                case .unconnectedPerIP:
                    throw WebRTCOfferError(
                        .tooManyUnconnected,
                        "this address has \(limits.maxUnconnectedPerIP) WebRTC sessions still connecting (limits.maxUnconnectedWebRTCPerIP); connect or end them first",
                        retryAfter: 5
                    )
                }
            }
        }
        guard runtime.sessionCount < maxSessions else {
            refused("max_sessions", request, runtime: runtime, now: .now(), logger: logger)
            throw WebRTCOfferError(.tooManySessions, "the relay serves its maximum of \(maxSessions) WebRTC sessions (limits.maxWebRTCSessions)")
        }
        do {
            return try DTLSTransport(context: dtls, role: .server)
        } catch {
            throw WebRTCOfferError(.unavailable, "DTLS could not start: \(error)")
        }
    }

    /// Counts a refused offer in `relay_webrtc_offers_refused_total{reason}` and logs it, at most
    /// once a second with how many were refused meanwhile (a flood of offers floods no log).
    private static func refused(_ reason: String, _ request: WebRTCPlaybackRequest, runtime: WebRTCRuntime, now: NIODeadline, logger: Logger) {
        Metrics.Counter(label: "relay_webrtc_offers_refused_total", dimensions: [("reason", reason)]).increment()
        runtime.refusalsSinceLog += 1
        guard now - runtime.lastRefusalLog >= .seconds(1) else { return }
        logger.warning(
            "refusing webrtc offers",
            metadata: [
                "reason": "\(reason)", "refused": "\(runtime.refusalsSinceLog)", "remote": "\(request.remoteAddress)",
                "school": "\(request.grant.schoolId ?? "-")", "sessions": "\(runtime.sessionCount)",
            ])
        runtime.refusalsSinceLog = 0
        runtime.lastRefusalLog = now
    }

    /// Pinned names play their rung; the plain name starts on the rung the site's bandwidth fits
    /// (the source while the stream has no rungs yet).
    private func choosePlayback(_ request: WebRTCPlaybackRequest) -> PlaybackChoice {
        if let rendition = request.rendition {
            // A rung the source cannot feed is not made: its viewers get the source.
            let played = renditions?.playedKey(source: request.stream, rendition: rendition) == request.stream ? "source" : rendition
            return PlaybackChoice(playing: played, adaptive: false)
        }
        let rungs = renditions?.renditions(for: request.stream) ?? []
        guard !rungs.isEmpty else {
            let onAir = renditions?.isProgramOnAir(request.stream) ?? false
            return PlaybackChoice(playing: onAir ? Rendition.programName : "source", adaptive: true)
        }
        let selector = RenditionSelector(
            rungs: rungs, bandwidthKbps: request.grant.bandwidthKbps, now: .now(), configuration: configuration.renditionSelection
        )
        return PlaybackChoice(playing: selector.current.name, adaptive: true, selector: selector)
    }
}

extension WebRTCServer: Sendable {}
