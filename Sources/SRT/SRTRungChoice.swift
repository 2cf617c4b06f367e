import NIOCore
import RelayCore

/// The rung choice of one adaptive SRT player (the plain class name, on a site whose
/// bandwidth is known): starts on the rung that fits the site, then follows libsrt's counters
/// for the link, read once a second through ``SRTLinkPressure``. Plays the source while the
/// stream has no rungs. Pure: the caller passes the clock and the counters.
struct SRTRungChoice: Sendable {
    let source: StreamKey
    let bandwidthKbps: Int
    let configuration: RenditionSelector.Configuration
    private(set) var selector: RenditionSelector?
    private var pressure: SRTLinkPressure

    init(source: StreamKey, bandwidthKbps: Int, latencyMs: Int, base: RenditionSelector.Configuration) {
        self.source = source
        self.bandwidthKbps = bandwidthKbps
        configuration = SRTLinkPressure.selectorConfiguration(latencyMs: latencyMs, base: base)
        pressure = SRTLinkPressure(stepDownBacklogMillis: configuration.stepDownBacklogMillis)
    }

    /// The rung to start on (`source` when the stream has none).
    mutating func initial(rungs: [Rendition], now: NIODeadline) -> String {
        guard !rungs.isEmpty else { return "source" }
        let selector = RenditionSelector(rungs: rungs, bandwidthKbps: bandwidthKbps, now: now, configuration: configuration)
        self.selector = selector
        return selector.current.name
    }

    /// Reads one sample of the link; returns the rung to move to, or nil to stay.
    mutating func evaluate(
        _ sample: SRTLinkPressure.Sample, now: NIODeadline, rungs: [Rendition], playing: String
    ) -> (rendition: String, reading: SRTLinkPressure.Reading?)? {
        let reading = pressure.read(sample, now: now)
        guard !rungs.isEmpty else { return nil }  // the source, until rungs exist
        var selector = RenditionSelector.following(
            self.selector, rungs: rungs, bandwidthKbps: bandwidthKbps, now: now, configuration: configuration
        )
        defer { self.selector = selector }
        let target = selector.target(
            playing: playing, now: now, backlogMillis: reading?.backlogMillis, throughputKbps: reading?.throughputKbps
        )
        return target.map { ($0, reading) }
    }
}
