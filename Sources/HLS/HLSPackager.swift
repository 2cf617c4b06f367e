import Foundation
public import Logging
import Media
import NIOConcurrencyHelpers
public import NIOCore
public import RelayCore

/// HLS for every live stream: variants (the source and the ladder's rungs) packaged on demand, one
/// ``HLSVariantPackager`` each, gone `idleTimeout` after their last fetch. A multivariant playlist
/// starts every variant (a rung is then encoded for `idleTimeout` even if no client takes it), so
/// the variant a player picks, and the ones it switches to first, already have the few segments
/// a live playlist needs; otherwise each cold variant would keep its first player waiting three
/// segments. Owns each variant's muxing thread (an ``OwnedThread``): a thread that ended on its
/// own (idle, or its stream ended) is joined by the next variant's thread as that one starts
/// (it has returned or is returning), so no join blocks a request's task; ``shutdown()`` stops
/// and joins the rest.
public final class HLSPackager: HLSHost, Sendable {
    private struct VariantKey: Hashable, Sendable {
        let source: StreamKey
        let variant: String
        /// A site's copy of the variant (its mix-minus audio); nil: the variant everyone fetches.
        var site: String? = nil
    }

    private struct Running: Sendable {
        let packager: HLSVariantPackager
        let thread: OwnedThread
    }

    private let registry: StreamRegistry
    private let renditions: RenditionDirectory
    /// The classes' stages as the control plane set them: a site's copies start when it is put on
    /// the stage, before its voice reaches the program (nil: only as the streams carry the stage).
    private let stages: ProgramStageBoard?
    private let idleTimeout: Duration
    private let startupTimeout: Duration
    private let logger: Logger
    private let running = NIOLockedValueBox<[VariantKey: Running]>([:])
    /// Sites' copies that ended, kept `idleTimeout` for the stage's last segments.
    private let endedCopies: NIOLockedValueBox<HLSEndedSiteCopies<VariantKey>>
    /// Muxing threads of variants that ended on their own (out of `running`), still to be joined.
    private let retired = RetiredThreads()
    private let stopped = NIOLockedValueBox(false)
    /// The video codec each rung's encoder was seen to produce (a rung not encoding now is listed with it).
    private let knownVideoCodecs = NIOLockedValueBox<[String: String]>([:])
    /// Each stream's program-date-time anchor, shared by its variants (gone with its last variant).
    private let programClocks = NIOLockedValueBox<[StreamKey: HLSProgramClock]>([:])
    /// What each client whose playlists list parts as segments was listed (by token), and when.
    private let partsClients = NIOLockedValueBox<[String: (client: HLSPartsListing.Client, seen: ContinuousClock.Instant, lastURI: String?)]>([:])
    private static let partsClientCapacity = 20_000

    public init(
        registry: StreamRegistry, renditions: RenditionDirectory, stages: ProgramStageBoard? = nil, idleTimeout: Duration = .seconds(10),
        startupTimeout: Duration = .seconds(15), logger: Logger
    ) {
        self.registry = registry
        self.renditions = renditions
        self.stages = stages
        self.idleTimeout = idleTimeout
        self.endedCopies = NIOLockedValueBox(HLSEndedSiteCopies(keep: idleTimeout))
        self.startupTimeout = startupTimeout
        self.logger = logger
    }

    // MARK: HLSHost

    public func multivariantPlaylist(for source: StreamKey, query: String, client: HLSClient) async -> String? {
        guard let stream = registry.stream(source), stream.isPublished else { return nil }
        // Every variant is started (or kept) here, the source's first; the rungs' packagers also
        // tell their codecs.
        variant(source, "source")?.keepAlive()
        // A lesson's first seconds: its rungs are decided once its bitrate is measured (about
        // 2 s of media); a player does not reload this playlist, so it waits for them.
        let decided = ContinuousClock.now + .seconds(4)
        while renditions.isDeciding(source), stream.sequenceHeaders.video != nil, ContinuousClock.now < decided {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let snapshot = stream.snapshot()
        let rungs = renditions.renditions(for: source)
        let rungPackagers = rungs.map { rung in
            let packager = variant(source, rung.name)
            packager?.keepAlive()
            return packager
        }
        // The source's codecs from its sequence headers as the stream holds them. Until a rung's
        // own header is seen, its video is listed as the source's; its audio is always the
        // source's (AAC re-encoded, same object type).
        var sourceTracks = FragmentedMP4Muxer.Tracks()
        let headers = stream.sequenceHeaders
        for header in [headers.video, headers.audio].compactMap({ $0 }) { _ = sourceTracks.apply(sequenceHeader: header) }
        let sourceVideo = sourceTracks.videoCodec ?? "avc1.64001f"
        let audio = sourceTracks.audioCodec
        let codecs = { (video: String) in [video, audio].compactMap { $0 }.joined(separator: ",") }
        let suffix = query.isEmpty ? "" : "?" + query
        let fps = snapshot.video.map { $0.fps > 0 ? String(format: ",FRAME-RATE=%.3f", $0.fps) : "" } ?? ""
        var entries: [(name: String, line: String)] = []
        for (rung, packager) in zip(rungs, rungPackagers) {
            let video = packager?.tracks?.videoCodec ?? knownVideoCodecs.withLockedValue { $0[rung.name] } ?? sourceVideo
            entries.append(
                (
                    rung.name,
                    "#EXT-X-STREAM-INF:BANDWIDTH=\(rung.totalKbps * 1100),AVERAGE-BANDWIDTH=\(rung.totalKbps * 1000),RESOLUTION=\(rung.width)x\(rung.height),CODECS=\"\(codecs(video))\"\(fps)"
                ))
        }
        let sourceKbps = max(snapshot.inputKbps, 1)
        let resolution = snapshot.video.map { ",RESOLUTION=\($0.width)x\($0.height)" } ?? ""
        entries.append(
            (
                "source",
                "#EXT-X-STREAM-INF:BANDWIDTH=\(sourceKbps * 1200),AVERAGE-BANDWIDTH=\(sourceKbps * 1000)\(resolution),CODECS=\"\(codecs(sourceVideo))\"\(fps)"
            ))
        // A native player starts on the first variant: the rung the site's link fits, chosen as
        // for every other protocol (the entries' first part is the rungs, in the selector's order).
        if !rungs.isEmpty {
            let fitting = RenditionSelector(rungs: rungs, bandwidthKbps: client.bandwidthKbps, now: .now()).bestIndex(
                fittingKbps: client.bandwidthKbps)
            entries.insert(entries.remove(at: fitting), at: 0)
        }
        // Parts listed as segments do not each start with a keyframe.
        var lines = ["#EXTM3U", "#EXT-X-VERSION:7"] + (client.listsPartsAsSegments ? [] : ["#EXT-X-INDEPENDENT-SEGMENTS"])
        for entry in entries {
            lines.append(entry.line)
            lines.append("\(entry.name)/index.m3u8\(suffix)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func mediaPlaylist(
        for source: StreamKey, variant name: String, query: String, blockingUntil wanted: HLSPosition?, client: HLSClient
    ) async -> String? {
        guard let shared = variant(source, name) else { return nil }
        let packager = serving(shared, to: client)
        packager.touch(client, bytes: 0)
        if client.listsPartsAsSegments { return await partsPlaylist(source, packager, query: query, client: client) }
        let playlist = await packager.mediaPlaylist(
            query: query, timeout: startupTimeout, blockingUntil: wanted.map { ($0.mediaSequence, $0.part) }
        )
        if let playlist { packager.touch(client, bytes: playlist.utf8.count) }
        if let video = packager.tracks?.videoCodec, name != "source" { knownVideoCodecs.withLockedValue { $0[name] = video } }
        return playlist
    }

    public func initSection(for source: StreamKey, variant name: String, number: Int, client: HLSClient) -> ByteBuffer? {
        guard let packager = existing(source, name, for: client), let bytes = packager.initSection(number: number) else { return nil }
        packager.touch(client, bytes: bytes.readableBytes)
        return bytes
    }

    public func part(for source: StreamKey, variant name: String, sequence: Int, index: Int, client: HLSClient) async -> ByteBuffer? {
        guard let packager = existing(source, name, for: client, sequence: sequence),
            let bytes = await packager.part(sequence: sequence, index: index)
        else { return nil }
        packager.touch(client, bytes: bytes.readableBytes)
        return bytes
    }

    public func segment(for source: StreamKey, variant name: String, sequence: Int, client: HLSClient) -> ByteBuffer? {
        guard let packager = existing(source, name, for: client, sequence: sequence), let bytes = packager.segment(sequence: sequence) else {
            return nil
        }
        packager.touch(client, bytes: bytes.readableBytes)
        return bytes
    }

    /// How long a reload that would list nothing new waits for a new part.
    static let unchangedHold: Duration = .milliseconds(600)

    /// A media playlist that lists parts as segments, made for `client` (``HLSPartsListing``):
    /// waits, up to `startupTimeout`, for a keyframe to join at, and a reload that would end at
    /// the part the last one ended at waits up to `unchangedHold` for a newer one (the player,
    /// finding nothing new, would wait another half second before it starts or goes on).
    private func partsPlaylist(_ source: StreamKey, _ packager: HLSVariantPackager, query: String, client: HLSClient) async -> String? {
        let started = ContinuousClock.now
        let deadline = started + startupTimeout
        while true {
            let (known, listedLast) = partsClients.withLockedValue { ($0[client.id]?.client, $0[client.id]?.lastURI) }
            let otherName = known.flatMap { $0.variant != packager.variant ? $0.variant : $0.handover?.from }
            let other = otherName.flatMap { existing(source, $0, for: client) }?.partsVariant
            let (playlist, state) = HLSPartsListing.playlist(client: known, requested: packager.partsVariant, other: other, query: query)
            let lastURI = playlist.map(Self.lastLine)
            if let playlist, let state, lastURI != listedLast || ContinuousClock.now - started >= Self.unchangedHold {
                let now = ContinuousClock.now
                partsClients.withLockedValue { map in
                    if map.count >= Self.partsClientCapacity { map = map.filter { now - $0.value.seen < idleTimeout * 6 } }
                    if map.count >= Self.partsClientCapacity, let oldest = map.min(by: { $0.value.seen < $1.value.seen }) { map[oldest.key] = nil }
                    map[client.id] = (state, now, lastURI)
                }
                packager.touch(client, bytes: playlist.utf8.count)
                return playlist
            }
            if packager.isFinished || ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// A playlist's last line (its newest URI), without splitting the rest.
    private static func lastLine(_ playlist: String) -> String {
        let body = playlist.dropLast()  // the final newline
        return String(body[(body.lastIndex(of: "\n").map(body.index(after:)) ?? body.startIndex)...])
    }

    // MARK: Variants

    /// Variants being packaged now (for tests and the log).
    public var activeVariants: [String] {
        running.withLockedValue { $0.keys.map { "\($0.source)/\($0.variant)" + ($0.site.map { "@" + $0 } ?? "") }.sorted() }
    }

    /// The running variant that serves `client` (``serving(_:to:)``), not started if it is not.
    /// For a segment (or its parts) `sequence`, an ended copy of the client's site that closed it.
    private func existing(_ source: StreamKey, _ name: String, for client: HLSClient, sequence: Int? = nil) -> HLSVariantPackager? {
        if let sequence, let site = client.schoolId {
            let key = VariantKey(source: source, variant: name, site: site)
            let now = ContinuousClock.now
            let ended = endedCopies.withLockedValue { $0.copy(for: key, at: now) }
            if let ended, sequence < ended.nextSequence { return ended }
        }
        return existing(source, name).map { serving($0, to: client) }
    }

    private func existing(_ source: StreamKey, _ name: String) -> HLSVariantPackager? {
        running.withLockedValue { $0[VariantKey(source: source, variant: name)]?.packager }.flatMap { $0.isFinished ? nil : $0 }
    }

    /// The running packager of a variant, started if it is not (nil: no such live variant).
    private func variant(_ source: StreamKey, _ name: String) -> HLSVariantPackager? {
        guard let stream = registry.stream(source), stream.isPublished else { return nil }
        guard name == "source" || renditions.renditions(for: source).contains(where: { $0.name == name }) else { return nil }
        let registry = self.registry
        let renditions = self.renditions
        let logger = self.logger
        let idleTimeout = self.idleTimeout
        return start(VariantKey(source: source, variant: name), subscribingTo: Rendition.playedKey(source: source, rendition: name)) { clock in
            // The plain name's source variant follows the class's program, as every plain-name player does.
            let following =
                name == "source" && source.mayCarryProgram
                ? HLSVariantPackager.ProgramFollowing(
                    key: Rendition.playedKey(source: source, rendition: Rendition.programName), registry: registry,
                    isOnAir: { renditions.isProgramOnAir(source) }
                )
                : nil
            return HLSVariantPackager(
                source: source, variant: name, idleTimeout: idleTimeout, programClock: clock, programFollowing: following,
                atKeyframe: { [weak self] shared in self?.startSiteCopies(of: shared) }, logger: logger
            )
        }
    }

    /// Starts the copies of `shared` for its clients' sites that are on the stage, at its
    /// keyframes, before those clients' next fetch: a copy takes over at a segment start, so
    /// one started at a client's fetch would leave that site its own voice for a reload or two.
    private func startSiteCopies(of shared: HLSVariantPackager) {
        for site in shared.clientSchools { _ = siteCopy(of: shared, for: site) }
    }

    /// The class's stage changed (the control plane set it): the copies of its variants for the
    /// sites now on it start at once, so they take over before those sites' voices reach the
    /// program.
    public func stageChanged(classId: String) {
        let shared = running.withLockedValue { map in
            map.filter { $0.key.source.name == classId && $0.key.site == nil }.map(\.value.packager)
        }
        for variant in shared { startSiteCopies(of: variant) }
    }

    /// The packager that serves `client` a variant: for a site on the class's stage, its own copy
    /// of the variant (the site's mix-minus: its own voice never comes back to its classroom)
    /// once that copy took over at a segment start; until then, and for everyone else, `shared`.
    /// A copy's clients keep the shared variant alive, so they go back to the same numbers.
    private func serving(_ shared: HLSVariantPackager, to client: HLSClient) -> HLSVariantPackager {
        guard let site = client.schoolId, let copy = siteCopy(of: shared, for: site) else { return shared }
        guard copy.isServing else {
            copy.keepAlive()
            return shared
        }
        shared.keepAlive(handingOver: client)
        return copy
    }

    /// The running copy of `shared` for `site` while the site is on the stage of the stream the
    /// variant packages (a rung, or the program the plain name's source variant follows), started
    /// if it is not; nil while the site is not on that stage.
    private func siteCopy(of shared: HLSVariantPackager, for site: String) -> HLSVariantPackager? {
        let (source, name) = (shared.source, shared.variant)
        let copiesProgram = name == "source"
        if copiesProgram, !(source.mayCarryProgram && shared.isPlayingProgram) { return nil }
        let played = Rendition.playedKey(source: source, rendition: copiesProgram ? Rendition.programName : name)
        let stages = self.stages
        // On the stage as the control plane set it, or as the stream's audio still carries it
        // (the program drops a site's voice a moment after the stage is cleared).
        let isOnStage = { @Sendable (stream: LiveStream?) in
            stages?.stage(source.name).sites.contains(site) == true || stream?.hasOnStage(site) == true
        }
        guard let stream = registry.stream(played), stream.isPublished, isOnStage(stream) else { return nil }
        let logger = self.logger
        let idleTimeout = self.idleTimeout
        return start(VariantKey(source: source, variant: name, site: site), subscribingTo: played) { clock in
            let copy = HLSVariantPackager.SiteCopy(
                shared: shared, site: site, copiesProgram: copiesProgram, isOnStage: { [weak stream] in isOnStage(stream) })
            return HLSVariantPackager(
                source: source, variant: name, idleTimeout: idleTimeout, programClock: clock, siteCopy: copy, logger: logger)
        }
    }

    /// The running packager under `key`, or one `make` returns (with the stream's program clock)
    /// subscribed to `played`, its muxing thread started.
    private func start(
        _ key: VariantKey, subscribingTo played: StreamKey, make: (HLSProgramClock) -> HLSVariantPackager
    ) -> HLSVariantPackager? {
        running.withLockedValue { map in
            if let current = map[key] {
                if !current.packager.isFinished { return current.packager }
                // Ended, and about to leave the map by itself: replaced here, its thread retires.
                map[key] = nil
                retired.add(current.thread)
            }
            guard !stopped.withLockedValue({ $0 }) else { return nil }
            let clock = programClocks.withLockedValue { clocks in
                if let clock = clocks[key.source] { return clock }
                let clock = HLSProgramClock()
                clocks[key.source] = clock
                return clock
            }
            let packager = make(clock)
            let registry = self.registry
            let attached = registry.attachSubscriber(packager, to: played)
            let retired = self.retired
            let thread: OwnedThread
            do {
                thread = try OwnedThread(name: "hls-mux") { [weak self] in
                    retired.joinAll()
                    packager.run()
                    registry.detachSubscriber(packager, from: attached)
                    self?.forget(key, packager)
                }
            } catch {
                registry.detachSubscriber(packager, from: attached)
                logger.error(
                    "hls variant not started",
                    metadata: ["stream": "\(key.source)", "variant": "\(key.variant)", "site": "\(key.site ?? "-")", "error": "\(error)"])
                return nil
            }
            // The thread's `forget` waits for this lock, so it finds its entry.
            map[key] = Running(packager: packager, thread: thread)
            return packager
        }
    }

    /// Takes an ended variant out of the map and retires its thread (on that thread, as it ends).
    /// Not found when a new variant replaced it (which retired it) or shutdown took it (which joins it).
    private func forget(_ key: VariantKey, _ packager: HLSVariantPackager) {
        running.withLockedValue { map in
            if let entry = map[key], entry.packager === packager {
                map[key] = nil
                retired.add(entry.thread)
            }
            if key.site != nil {
                let now = ContinuousClock.now
                endedCopies.withLockedValue { $0.add(packager, for: key, endedAt: now) }
            }
            if !map.keys.contains(where: { $0.source == key.source }) {
                programClocks.withLockedValue { $0[key.source] = nil }
            }
        }
    }

    /// Stops every variant and joins its thread, and those that ended before (relay shutdown).
    /// The joins block a GCD thread, not the calling task's.
    public func shutdown() async {
        stopped.withLockedValue { $0 = true }
        let all = running.withLockedValue { map in
            defer { map.removeAll() }
            return Array(map.values)
        }
        for entry in all { entry.packager.stop() }
        endedCopies.withLockedValue { $0.removeAll() }
        let retired = self.retired
        await runBlocking {
            for entry in all { entry.thread.join() }
            retired.joinAll()
        }
    }
}
