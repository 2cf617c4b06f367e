import Foundation
import Logging
import NIOCore
import RelayCore

/// Everything the media server holds, confined to its one event loop (str0m's SFU shape: one
/// socket, one loop, every session): the sessions by id, ICE ufrag and address, and the stream
/// feeds with their viewers. Feeds' threads hand frames here with `deliver`.
final class WebRTCRuntime {
    let loop: any EventLoop
    let registry: StreamRegistry
    let renditions: RenditionDirectory?
    /// The classes' stages: while a class's is not empty its viewers hear the program's audio.
    let stages: ProgramStageBoard?
    let configuration: WebRTCConfiguration
    let logger: Logger
    /// Stops a feed off the event loop (its thread is joined).
    let retire: (StreamFeed) -> Void
    /// Where sessions' packets go (UDP, or an ICE-TCP connection); nil until the socket is bound.
    let routes = WebRTCRoutes()
    var output: (any DatagramOutput)? { routes.udp == nil ? nil : routes }
    /// False once the relay shuts down: new offers are refused.
    var accepting = true
    /// The offer rate per IP and the caps on unconnected sessions per key and per IP.
    var admission: OfferAdmission
    /// Refusals since the last "refusing webrtc offers" line (logged at most once a second).
    var refusalsSinceLog = 0
    var lastRefusalLog: NIODeadline = .uptimeNanoseconds(0)
    var refusedTCPSinceLog = 0
    var lastTCPRefusalLog: NIODeadline = .uptimeNanoseconds(0)
    /// Open ICE-TCP connections per remote IP (capped at `configuration.maxTCPConnectionsPerIP`).
    private var tcpConnections: [String: Int] = [:]

    private(set) var sessions: [String: WebRTCSession] = [:]
    private var byUfrag: [String: WebRTCSession] = [:]
    private var byAddress: [SocketAddress: WebRTCSession] = [:]
    private(set) var fanouts: [FeedKey: FeedFanout] = [:]
    private var lastAdaptation: NIODeadline = .now()

    init(
        loop: any EventLoop, registry: StreamRegistry, renditions: RenditionDirectory?, stages: ProgramStageBoard? = nil,
        configuration: WebRTCConfiguration, logger: Logger, retire: @escaping (StreamFeed) -> Void
    ) {
        self.loop = loop
        self.registry = registry
        self.renditions = renditions
        self.stages = stages
        self.configuration = configuration
        self.logger = logger
        self.retire = retire
        admission = OfferAdmission(limits: configuration.admission)
    }

    var sessionCount: Int { sessions.count }

    /// Sessions not yet connected that `key` (a school's grant) and `ip` (the offer's remote) hold.
    func unconnected(key: String?, ip: String) -> (key: Int, ip: Int) {
        var counts = (key: 0, ip: 0)
        for session in sessions.values where session.state != .connected {
            guard let origin = session.origin else { continue }
            if key != nil, origin.key == key { counts.key += 1 }
            if origin.ip == ip { counts.ip += 1 }
        }
        return counts
    }

    /// Whether some session knows `address` (a valid binding request with its credentials came from there).
    func knows(_ address: SocketAddress) -> Bool { byAddress[address] != nil }

    /// Takes an ICE-TCP slot for `ip`, or false at `maxTCPConnectionsPerIP`; pair with ``releaseTCP(_:)``.
    func admitTCP(_ ip: String) -> Bool {
        guard tcpConnections[ip, default: 0] < configuration.maxTCPConnectionsPerIP else { return false }
        tcpConnections[ip, default: 0] += 1
        return true
    }

    func releaseTCP(_ ip: String) {
        if let n = tcpConnections[ip], n > 1 { tcpConnections[ip] = n - 1 } else { tcpConnections[ip] = nil }
    }

    /// A new session; its feeds start now, so their GOP is cached by the time it connects.
    func add(_ session: WebRTCSession) {
        sessions[session.id] = session
        byUfrag[session.local.ufrag] = session
        if session.video != nil {
            fanout(for: session.playback.feedKey(for: session.playback.playing, source: session.source))?.connecting[session.id] = session
        }
        if session.audio != nil {
            let audioFeed = audioFeedKey(for: session)
            session.playback.audioFeed = audioFeed
            fanout(for: audioFeed)?.connecting[session.id] = session
        }
    }

    // MARK: Datagrams

    func receive(_ datagram: ByteBuffer, from address: SocketAddress) {
        guard let output else { return }
        let now = NIODeadline.now()
        let wallClock = Date()
        var session = byAddress[address]
        if PacketDemultiplexer.classify(datagram) == .stun, let found = Self.session(forSTUN: datagram, in: byUfrag) {
            session = found
        }
        guard let session else { return }  // not ours: dropped without an answer
        let events = session.receive(datagram, from: address, now: now, wallClock: wallClock, output: output)
        if byAddress[address] !== session, session.path.knownAddresses.contains(address) { byAddress[address] = session }
        handle(events, of: session, now: now)
    }

    private static func session(forSTUN datagram: ByteBuffer, in byUfrag: [String: WebRTCSession]) -> WebRTCSession? {
        guard let message = try? STUNMessage(decoding: datagram), let username = message.username,
            let ufrag = ICEUsername(stunUsername: username)?.localUfrag
        else { return nil }
        return byUfrag[ufrag]
    }

    private func handle(_ events: [WebRTCSessionEvent], of session: WebRTCSession, now: NIODeadline) {
        for event in events {
            switch event {
            case .connected where session.ingest != nil:
                if let output { session.startIngest(now: now, output: output) }
            case .connected: join(session, now: now)
            case .pictureLost:
                // The session waits for the next keyframe; on a rung, the transcoder makes one now.
                requestKeyframe(of: session.playback.playing, for: session)
            case .closed: remove(session)
            case .forgotAddress(let address):
                if byAddress[address] === session { byAddress[address] = nil }
            }
        }
    }

    // MARK: Sessions and feeds

    /// A connected viewer joins its picture's feed (starting on its cached GOP) and its sound's
    /// (the source's, or the program's while its class's stage is not empty).
    private func join(_ session: WebRTCSession, now: NIODeadline) {
        guard let output else { return }
        let videoKey = session.playback.feedKey(for: session.playback.playing, source: session.source)
        if session.video != nil, let fanout = fanout(for: videoKey) {
            fanout.connecting[session.id] = nil
            fanout.video[session.id] = session
            session.start(with: fanout.gop, from: fanout.retransmissions, now: now, output: output)
        }
        if session.audio != nil, let audioFeed = session.playback.audioFeed, let fanout = fanout(for: audioFeed) {
            fanout.connecting[session.id] = nil
            fanout.audio[session.id] = session
        }
        publishViewers(at: Date())
    }

    /// The fanout of the stream `key`'s feed.
    func fanout(for key: StreamKey) -> FeedFanout? { fanout(for: .stream(key)) }

    /// The fanout of `key`, starting its feed (and subscribing to the stream) when there is none.
    func fanout(for key: FeedKey) -> FeedFanout? {
        if let existing = fanouts[key] { return existing }
        // The feed's thread hands its frames to this loop.
        let bound = NIOLoopBound(self, eventLoop: loop)
        let loop = self.loop
        let emit: @Sendable (FeedOutput) -> Void = { output in loop.execute { bound.value.deliver(output, from: key) } }
        do {
            // A rung's sound is the source's (transcoded from the source's feed) but for the
            // program's, which a program-audio feed takes alone.
            let feed = try StreamFeed(
                key: key.stream, registry: registry,
                transcodesAudio: key.isProgramAudio || !(renditions?.isRenditionStream(key.stream) ?? false),
                packetizesVideo: !key.isProgramAudio, mixMinusSite: key.mixMinusSite, logger: logger, emit: emit
            )
            let fanout = FeedFanout(key: key, feed: feed)
            fanouts[key] = fanout
            return fanout
        } catch {
            logger.error("webrtc feed could not start", metadata: ["stream": "\(key)", "error": "\(error)"])
            return nil
        }
    }

    func endSession(id: String, reason: String) -> Bool {
        guard let session = sessions[id], let output else { return false }
        handle(session.close(reason: reason, output: output), of: session, now: .now())
        output.flush()
        return true
    }

    private func remove(_ session: WebRTCSession) {
        sessions[session.id] = nil
        if byUfrag[session.local.ufrag] === session { byUfrag[session.local.ufrag] = nil }
        for address in session.path.knownAddresses where byAddress[address] === session { byAddress[address] = nil }
        for fanout in Array(fanouts.values) {
            fanout.remove(session)
            retireIfUnused(fanout)
        }
        publishViewers(at: Date())
    }

    private func retireIfUnused(_ fanout: FeedFanout) {
        guard fanout.isUnused, fanouts[fanout.key] === fanout else { return }
        fanouts[fanout.key] = nil
        retire(fanout.feed)
    }

    // MARK: Frames from feeds

    func deliver(_ item: FeedOutput, from key: FeedKey) {
        guard let fanout = fanouts[key], let output else { return }
        let now = NIODeadline.now()
        switch item {
        case .frame(let stored):
            let frame = fanout.remember(stored)
            switch frame.track {
            case .video:
                if frame.isKeyframe, !fanout.pending.isEmpty { completeSwitches(to: fanout, at: frame, now: now) }
                for session in fanout.video.values { session.send(frame, from: fanout.retransmissions, now: now, output: output) }
            case .audio:
                if !fanout.audioPending.isEmpty { completeAudioSwitches(to: fanout, at: frame) }
                for session in fanout.audio.values { session.send(frame, now: now, output: output) }
            }
        case .bFramesSeen:
            fanout.hasBFrames = true
            logger.notice(
                "the source has B-frames: its WebRTC viewers (the plain name and _source) are moved to a rung once the transcoder has rungs",
                metadata: ["stream": "\(key)"])
        case .publisherStarted:
            fanout.forgetGOP()
            for session in fanout.video.values { session.waitingForKeyframe = true }
        case .ended where key.isProgramAudio:
            // The rung ended (the lesson did, or its transcoder stopped): its listeners hear the
            // source again, and follow the stage from the next tick.
            fanouts[key] = nil
            retire(fanout.feed)
            for session in Array(fanout.audio.values) + Array(fanout.audioPending.values) + Array(fanout.connecting.values) {
                session.playback.audioPending = nil
                session.playback.audioFeed = .stream(session.source)
                guard let source = self.fanout(for: session.source) else { continue }
                if session.state == .connected { source.audio[session.id] = session } else { source.connecting[session.id] = session }
            }
        case .ended(let reason):
            for session in Array(fanout.video.values) + Array(fanout.audio.values) + Array(fanout.connecting.values) {
                handle(session.close(reason: "the stream ended: \(reason)", output: output), of: session, now: now)
            }
        }
        output.flush()
    }

    private func completeSwitches(to fanout: FeedFanout, at keyframe: RTPFrame, now: NIODeadline) {
        guard let output else { return }
        for session in fanout.pending.values {
            fanout.pending[session.id] = nil
            let old = session.playback.playing
            let oldKey = session.playback.feedKey(for: old, source: session.source)
            if let previous = fanouts[.stream(oldKey)] {
                previous.video[session.id] = nil
                retireIfUnused(previous)
            }
            let new = session.playback.pending ?? old
            session.playback.playing = new
            session.playback.pending = nil
            fanout.video[session.id] = session
            session.switchVideo(to: keyframe, from: fanout.retransmissions, now: now, output: output)
            let direction = renditions?.countSwitch(of: session.source, from: old, to: new)
            session.logger.info(
                "webrtc viewer switched rung",
                metadata: [
                    "from": "\(old)", "to": "\(new)", "direction": "\(direction?.rawValue ?? "-")",
                    "rttMs": "\(session.stats.rttMs.map { Int($0) } ?? -1)", "lossPercent": "\(Int(session.stats.fractionLost * 100))",
                    "estimateKbps": "\(session.stats.estimatedBitrate.map { $0 / 1000 } ?? -1)",
                ])
        }
        publishViewers(at: Date())
    }

    /// Starts moving `session` to `rendition`: it joins that feed as pending until its keyframe.
    func requestSwitch(_ session: WebRTCSession, to rendition: String) {
        guard session.playback.pending != rendition, rendition != session.playback.playing else { return }
        if let old = session.playback.pending, let fanout = fanouts[.stream(session.playback.feedKey(for: old, source: session.source))] {
            fanout.pending[session.id] = nil
            retireIfUnused(fanout)
        }
        guard let fanout = fanout(for: session.playback.feedKey(for: rendition, source: session.source)) else { return }
        session.playback.pending = rendition
        fanout.pending[session.id] = session
        // The switch happens at the rung's next keyframe: ask for one now rather than wait out its GOP.
        requestKeyframe(of: rendition, for: session)
    }

    // MARK: The program's audio

    /// The feed whose sound `session` hears: while its class's stage is not empty, the program's
    /// audio taken from the top rung (the best AAC) or, where the class has no rung (none fits
    /// the source, or transcoding is off), from `_program` once it is on the air; as its own
    /// site's mix-minus when that site is on stage. The feed takes audio only, so the rung or
    /// `_program` encodes no pictures for it. Otherwise (and for a `_source` viewer, a return
    /// feed, or a relay without stages) the source's.
    func audioFeedKey(for session: WebRTCSession, stage: ProgramStage? = nil) -> FeedKey {
        let source = session.source
        let pinnedToSource = !session.playback.adaptive && session.playback.playing == "source" && session.playback.pending == nil
        guard !pinnedToSource, source.app == "live", source.returnFeed == nil,
            let sites = (stage ?? stages?.stage(source.name))?.sites, !sites.isEmpty, let renditions
        else { return .stream(source) }
        let carrier: String
        if let top = renditions.renditions(for: source).first {
            carrier = top.name
        } else if renditions.isProgramOnAir(source) {
            carrier = Rendition.programName
        } else {
            return .stream(source)
        }
        let own = session.grant.schoolId.flatMap { sites.contains($0) ? $0 : nil }
        return .programAudio(rung: Rendition.streamKey(source: source, rendition: carrier), mixMinusSite: own)
    }

    /// Every 100 ms: each connected viewer whose class's stage changed starts moving to the sound
    /// it now calls for; it keeps hearing the old feed until the new one's first frame.
    private func followStages() {
        guard let stages else { return }
        var read: [String: ProgramStage] = [:]
        for session in sessions.values where session.state == .connected && session.ingest == nil && session.audio != nil {
            let classId = session.source.name
            let stage = read[classId] ?? stages.stage(classId)
            read[classId] = stage
            let wanted = audioFeedKey(for: session, stage: stage)
            guard wanted != (session.playback.audioPending ?? session.playback.audioFeed) else { continue }
            if let old = session.playback.audioPending, let fanout = fanouts[old] {
                fanout.audioPending[session.id] = nil
                retireIfUnused(fanout)
            }
            session.playback.audioPending = nil
            guard wanted != session.playback.audioFeed, let fanout = fanout(for: wanted) else { continue }
            session.playback.audioPending = wanted
            fanout.audioPending[session.id] = session
        }
    }

    /// The viewers waiting for `fanout`'s sound leave their old feed's at its first frame (which
    /// the caller then sends them).
    private func completeAudioSwitches(to fanout: FeedFanout, at frame: RTPFrame) {
        for session in fanout.audioPending.values {
            fanout.audioPending[session.id] = nil
            if let old = session.playback.audioFeed, let previous = fanouts[old] {
                previous.audio[session.id] = nil
                retireIfUnused(previous)
            }
            session.logger.info(
                "webrtc viewer's sound follows the stage",
                metadata: [
                    "from": "\(session.playback.audioFeed.map { "\($0)" } ?? "-")", "to": "\(fanout.key)",
                ])
            session.playback.audioFeed = fanout.key
            session.playback.audioPending = nil
            fanout.audio[session.id] = session
            session.switchAudio(to: frame)
        }
    }

    // MARK: Time

    /// Every 100 ms: session timers; once a second: adaptive rung choice and the live view.
    func tick() {
        guard let output else { return }
        defer { output.flush() }
        let now = NIODeadline.now()
        let wallClock = Date()
        for session in Array(sessions.values) {
            handle(session.tick(now: now, wallClock: wallClock, output: output), of: session, now: now)
        }
        followStages()
        guard now - lastAdaptation >= .seconds(1) else { return }
        lastAdaptation = now
        admission.prune(now: now)
        for session in sessions.values where session.state == .connected && session.ingest == nil {
            if session.playback.adaptive {
                adapt(session, now: now)
            } else {
                leaveBFrames(session)
            }
        }
        publishViewers(at: wallClock)
    }

    private func adapt(_ session: WebRTCSession, now: NIODeadline) {
        if followProgram(session) { return }
        let rungs = renditions?.renditions(for: session.source) ?? []
        guard !rungs.isEmpty else { return }  // the source, until the transcoder has rungs
        let selection = configuration.renditionSelection
        var selector = RenditionSelector.following(
            session.playback.selector, rungs: rungs, bandwidthKbps: session.grant.bandwidthKbps, now: now, configuration: selection
        )
        let reading = session.playback.pressure.read(
            rttMs: session.stats.rttMs, fractionLost: session.stats.fractionLost, estimatedBitrate: session.stats.estimatedBitrate,
            stepDownBacklogMillis: selection.stepDownBacklogMillis, bytesSent: session.stats.bytesSent, now: now
        )
        let playing = session.playback.pending ?? session.playback.playing
        let target = selector.target(
            playing: playing == Rendition.programName ? "source" : playing, now: now, backlogMillis: reading?.backlogMillis,
            throughputKbps: reading?.throughputKbps
        )
        session.playback.selector = selector
        let onAir = renditions?.isProgramOnAir(session.source) ?? false
        guard let target else { return }
        session.playback.pressure.rungChanged()
        requestSwitch(session, to: target == "source" && onAir ? Rendition.programName : target)
    }

    /// A viewer of the source moves to the class's program while the class's stage is not
    /// empty, and back when it empties (at the new feed's keyframe). True when it moves.
    private func followProgram(_ session: WebRTCSession) -> Bool {
        let onAir = renditions?.isProgramOnAir(session.source) ?? false
        switch session.playback.pending ?? session.playback.playing {
        case "source" where onAir: requestSwitch(session, to: Rendition.programName)
        case Rendition.programName where !onAir: requestSwitch(session, to: "source")
        default: return false
        }
        return true
    }

    /// Asks the transcoder for a keyframe of `rendition` of the session's stream (rate-limited per
    /// rung); the source's keyframes come when the publisher sends them.
    private func requestKeyframe(of rendition: String, for session: WebRTCSession) {
        guard rendition != "source" else { return }
        renditions?.keyframeRequests.request(Rendition.streamKey(source: session.source, rendition: rendition))
    }

    /// A pinned `_source` viewer of a source with B-frames is moved to the top rung (which the
    /// transcoder encodes without B-frames) as soon as there is one; without rungs it keeps
    /// the source (logged once, when the B-frames are seen).
    private func leaveBFrames(_ session: WebRTCSession) {
        guard session.playback.playing == "source", session.playback.pending == nil,
            fanouts[.stream(session.source)]?.hasBFrames == true,
            let top = renditions?.renditions(for: session.source).first
        else { return }
        session.logger.notice("webrtc viewer of _source moved to a rung: the source has B-frames", metadata: ["to": "\(top.name)"])
        requestSwitch(session, to: top.name)
    }

    /// Hands each feed the snapshots of its picture's viewers at `wallClock`, for the live view.
    private func publishViewers(at wallClock: Date) {
        for fanout in fanouts.values {
            fanout.feed.report(fanout.video.values.map { $0.viewerSnapshot(at: wallClock) })
        }
    }

    /// Ends every session (relay shutdown); their feeds are retired as their last viewer leaves.
    func shutdown() {
        guard let output else { return }
        for session in Array(sessions.values) {
            handle(session.close(reason: "the relay is shutting down", output: output), of: session, now: .now())
        }
        for fanout in Array(fanouts.values) {
            fanouts[fanout.key] = nil
            retire(fanout.feed)
        }
        output.flush()
    }
}

@available(*, unavailable)
extension WebRTCRuntime: Sendable {}
