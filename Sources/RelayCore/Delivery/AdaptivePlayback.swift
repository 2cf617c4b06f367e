public import Logging
import NIOConcurrencyHelpers
import NIOCore

/// An adaptive player (no rung in its URL): subscribes its outlet to the rung a
/// ``RenditionSelector`` picks for the site, re-evaluates twice a second from the player's
/// backlog and measured throughput, and switches through a ``RenditionSwitcher`` at keyframes.
/// Plays the source where no rung exists (transcoding off, or no rung fits the source), and
/// where it would play the source, the class's program at the source's size while the class's
/// stage is not empty (``RenditionDirectory/isProgramOnAir(_:)``).
///
/// Everything but the switcher runs on the player's event loop (the outlet's). The outlet is an
/// RTMP player's ``PlayerOutlet`` or an HTTP-FLV player's ``FLVViewer``.
public final class AdaptivePlayback<Outlet: AdaptiveOutlet>: @unchecked Sendable {
    public let source: StreamKey
    public let outlet: Outlet
    private let registry: StreamRegistry
    private let directory: RenditionDirectory
    private let bandwidthKbps: Int?
    private let configuration: RenditionSelector.Configuration
    private let logger: Logger
    private let switcher: RenditionSwitcher
    private var selector: RenditionSelector?
    private var timer: RepeatedTask?
    private var pendingSince: NIODeadline?
    private var lastBytes = 0
    private var lastSample = NIODeadline.uptimeNanoseconds(0)
    private var stopped = false

    /// A pending switch whose rung shows no keyframe this long is abandoned.
    static var pendingTimeout: TimeAmount { .seconds(10) }
    static var interval: TimeAmount { .milliseconds(500) }

    public init(
        source: StreamKey, outlet: Outlet, registry: StreamRegistry, directory: RenditionDirectory,
        bandwidthKbps: Int?, configuration: RenditionSelector.Configuration = .init(), logger: Logger
    ) {
        self.source = source
        self.outlet = outlet
        self.registry = registry
        self.directory = directory
        self.bandwidthKbps = bandwidthKbps
        self.configuration = configuration
        self.logger = logger
        let loop = outlet.eventLoop
        self.switcher = RenditionSwitcher(outlet: outlet) { [registry] old in
            // Under a stream's lock: detach later, on the player's loop.
            loop.execute { if let stream = old.stream { registry.detachSubscriber(old, from: stream) } }
        }
    }

    /// The rung the player is on (`source` when none).
    public var rendition: String { switcher.taps.active?.rendition ?? "source" }

    /// Whether the source stream has a publisher.
    public var isPublished: Bool { registry.stream(source)?.isPublished ?? false }

    /// Subscribes to the initial rung and starts watching the player. On the loop.
    public func start() {
        outlet.eventLoop.preconditionInEventLoop()
        let now = outlet.eventLoop.now
        let rungs = directory.renditions(for: source)
        var initial: String
        if bandwidthKbps != nil, !rungs.isEmpty {
            let selector = RenditionSelector(rungs: rungs, bandwidthKbps: bandwidthKbps, now: now, configuration: configuration)
            self.selector = selector
            initial = selector.current.name
        } else {
            initial = "source"
        }
        if initial == "source", directory.isProgramOnAir(source) { initial = Rendition.programName }
        let tap = makeTap(initial)
        switcher.start(with: tap)
        tap.stream = registry.attachSubscriber(tap, to: tap.key)
        lastBytes = outlet.bytesSent - outlet.connectionBufferedBytes
        lastSample = now
        // An unknown link: the source (or the program), as a pinned player, with no rung switches.
        timer = outlet.eventLoop.scheduleRepeatedTask(initialDelay: Self.interval, delay: Self.interval) { [weak self] _ in
            self?.evaluate()
        }
    }

    /// Detaches from every stream. On the loop.
    public func stop() {
        stopped = true
        timer?.cancel()
        timer = nil
        let (active, pending) = switcher.taps
        _ = switcher.cancelPending()
        for tap in [active, pending].compactMap({ $0 }) {
            if let stream = tap.stream { registry.detachSubscriber(tap, from: stream) }
        }
    }

    private func makeTap(_ rendition: String) -> RenditionTap {
        RenditionTap(rendition: rendition, key: Rendition.playedKey(source: source, rendition: rendition), switcher: switcher)
    }

    private func evaluate() {
        guard !stopped else { return }
        let now = outlet.eventLoop.now
        // What the socket accepted: written to the connection minus what still waits in its buffer.
        let bytes = outlet.bytesSent - outlet.connectionBufferedBytes
        let seconds = Double((now - lastSample).nanoseconds) / 1e9
        let throughput = seconds > 0 ? Int(Double(bytes - lastBytes) * 8 / 1000 / seconds) : nil
        lastBytes = bytes
        lastSample = now

        let (active, pending) = switcher.taps
        if pending != nil {
            if let since = pendingSince, now - since > Self.pendingTimeout, let abandoned = switcher.cancelPending() {
                logger.notice("rung switch abandoned: no keyframe", metadata: ["to": "\(abandoned.rendition)"])
                if let stream = abandoned.stream { registry.detachSubscriber(abandoned, from: stream) }
                pendingSince = nil
            }
            return
        }
        pendingSince = nil
        if followProgram(playing: active?.rendition) { return }
        guard bandwidthKbps != nil else { return }
        let rungs = directory.renditions(for: source)
        guard !rungs.isEmpty else { return }
        var selector = RenditionSelector.following(
            self.selector, rungs: rungs, bandwidthKbps: bandwidthKbps, now: now, configuration: configuration
        )
        defer { self.selector = selector }
        // The backlog: media queued in the outlet, plus what the connection's buffer holds,
        // counted in time at the current rung's bitrate.
        let rate = rungs.first { $0.name == active?.rendition }?.totalKbps ?? selector.current.totalKbps
        let buffered = UInt32(clamping: outlet.connectionBufferedBytes * 8 / max(rate, 1))
        let backlog = outlet.backlogMillis &+ buffered
        // Nothing flowing (the publisher is away): no evidence either way, and no calm period counted.
        let playing = active?.rendition == Rendition.programName ? "source" : active?.rendition
        guard backlog > 0 || (throughput ?? 0) > 0 || playing == "source" else { return }
        guard let target = selector.target(playing: playing, now: now, backlogMillis: backlog, throughputKbps: throughput)
        else { return }
        let onAir = target == "source" && directory.isProgramOnAir(source)
        switchTo(onAir ? Rendition.programName : target, from: playing ?? "source", throughput: throughput, backlog: backlog)
    }

    /// Moves a player of the source to the program when the class's stage fills, and back when
    /// it empties (at the new stream's keyframe, like a rung switch). True when it moved.
    private func followProgram(playing: String?) -> Bool {
        let onAir = directory.isProgramOnAir(source)
        let target: String
        switch playing {
        case "source" where onAir: target = Rendition.programName
        case Rendition.programName where !onAir: target = "source"
        default: return false
        }
        let tap = makeTap(target)
        if let abandoned = switcher.prepare(tap), let stream = abandoned.stream {
            registry.detachSubscriber(abandoned, from: stream)
        }
        pendingSince = outlet.eventLoop.now
        logger.info("program: player follows the stage", metadata: ["stream": "\(source)", "to": "\(target)"])
        tap.stream = registry.attachSubscriber(tap, to: tap.key)
        return true
    }

    private func switchTo(_ rendition: String, from old: String, throughput: Int?, backlog: UInt32) {
        let tap = makeTap(rendition)
        if let abandoned = switcher.prepare(tap), let stream = abandoned.stream {
            registry.detachSubscriber(abandoned, from: stream)
        }
        pendingSince = outlet.eventLoop.now
        let direction = directory.countSwitch(of: source, from: old, to: rendition == Rendition.programName ? "source" : rendition)
        logger.info(
            "rung switch",
            metadata: [
                "stream": "\(source)", "from": "\(old)", "to": "\(rendition)", "direction": "\(direction)",
                "backlogMs": "\(backlog)", "throughputKbps": "\(throughput ?? -1)",
                "bandwidthKbps": "\(bandwidthKbps ?? -1)",
            ])
        tap.stream = registry.attachSubscriber(tap, to: tap.key)
    }
}
