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
    }

    private struct Running: Sendable {
        let packager: HLSVariantPackager
        let thread: OwnedThread
    }

    private let registry: StreamRegistry
    private let renditions: RenditionDirectory
    private let idleTimeout: Duration
    private let startupTimeout: Duration
    private let logger: Logger
    private let running = NIOLockedValueBox<[VariantKey: Running]>([:])
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
        registry: StreamRegistry, renditions: RenditionDirectory, idleTimeout: Duration = .seconds(10),
        startupTimeout: Duration = .seconds(15), logger: Logger
    ) {
        self.registry = registry
        self.renditions = renditions
        self.idleTimeout = idleTimeout
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
        guard let packager = variant(source, name) else { return nil }
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
        guard let packager = existing(source, name), let bytes = packager.initSection(number: number) else { return nil }
        packager.touch(client, bytes: bytes.readableBytes)
        return bytes
    }

    public func part(for source: StreamKey, variant name: String, sequence: Int, index: Int, client: HLSClient) async -> ByteBuffer? {
        guard let packager = existing(source, name), let bytes = await packager.part(sequence: sequence, index: index) else { return nil }
        packager.touch(client, bytes: bytes.readableBytes)
        return bytes
    }

    public func segment(for source: StreamKey, variant name: String, sequence: Int, client: HLSClient) -> ByteBuffer? {
        guard let packager = existing(source, name), let bytes = packager.segment(sequence: sequence) else { return nil }
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
            let other = otherName.flatMap { existing(source, $0) }?.partsVariant
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
        running.withLockedValue { $0.keys.map { "\($0.source)/\($0.variant)" }.sorted() }
    }

    private func existing(_ source: StreamKey, _ name: String) -> HLSVariantPackager? {
        running.withLockedValue { $0[VariantKey(source: source, variant: name)]?.packager }.flatMap { $0.isFinished ? nil : $0 }
    }

    /// The running packager of a variant, started if it is not (nil: no such live variant).
    private func variant(_ source: StreamKey, _ name: String) -> HLSVariantPackager? {
        guard let stream = registry.stream(source), stream.isPublished else { return nil }
        guard name == "source" || renditions.renditions(for: source).contains(where: { $0.name == name }) else { return nil }
        let key = VariantKey(source: source, variant: name)
        let started: HLSVariantPackager? = running.withLockedValue { map in
            if let current = map[key] {
                if !current.packager.isFinished { return current.packager }
                // Ended, and about to leave the map by itself: replaced here, its thread retires.
                map[key] = nil
                retired.add(current.thread)
            }
            guard !stopped.withLockedValue({ $0 }) else { return nil }
            let clock = programClocks.withLockedValue { clocks in
                if let clock = clocks[source] { return clock }
                let clock = HLSProgramClock()
                clocks[source] = clock
                return clock
            }
            let registry = self.registry
            let renditions = self.renditions
            // The plain name's source variant follows the class's program, as every plain-name player does.
            let following =
                name == "source" && source.mayCarryProgram
                ? HLSVariantPackager.ProgramFollowing(
                    key: Rendition.playedKey(source: source, rendition: Rendition.programName), registry: registry,
                    isOnAir: { renditions.isProgramOnAir(source) }
                )
                : nil
            let packager = HLSVariantPackager(
                source: source, variant: name, idleTimeout: idleTimeout, programClock: clock, programFollowing: following, logger: logger
            )
            let played = Rendition.playedKey(source: source, rendition: name)
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
                logger.error("hls variant not started", metadata: ["stream": "\(source)", "variant": "\(name)", "error": "\(error)"])
                return nil
            }
            // The thread's `forget` waits for this lock, so it finds its entry.
            map[key] = Running(packager: packager, thread: thread)
            return packager
        }
        return started
    }

    /// Takes an ended variant out of the map and retires its thread (on that thread, as it ends).
    /// Not found when a new variant replaced it (which retired it) or shutdown took it (which joins it).
    private func forget(_ key: VariantKey, _ packager: HLSVariantPackager) {
        running.withLockedValue { map in
            if let entry = map[key], entry.packager === packager {
                map[key] = nil
                retired.add(entry.thread)
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
        let retired = self.retired
        await runBlocking {
            for entry in all { entry.thread.join() }
            retired.joinAll()
        }
    }
}
