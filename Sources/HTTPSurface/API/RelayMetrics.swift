import ControlPlane
import Metrics
import NIOConcurrencyHelpers
public import Prometheus
public import RelayCore

/// Prometheus metrics: swift-metrics counters recorded where things happen (HTTP requests,
/// auth refusals), plus relay gauges read from the stream registry at scrape time, so the
/// media hot path pays nothing for them.
public final class RelayMetrics: Sendable {
    public let prometheus: PrometheusCollectorRegistry
    private let registry: StreamRegistry?
    private let streamsLive: Prometheus.Gauge
    private let bytesIn: Prometheus.Gauge
    private let bytesOut: Prometheus.Gauge
    private let gopDrops: Prometheus.Gauge
    private let players = NIOLockedValueBox<[String: Prometheus.Gauge]>([:])

    /// Bootstraps swift-metrics with Prometheus; call once per process.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: prometheus))
        return prometheus
    }

    public init(prometheus: PrometheusCollectorRegistry, registry: StreamRegistry?) {
        self.prometheus = prometheus
        self.registry = registry
        streamsLive = prometheus.makeGauge(descriptor: Self.gauge("relay_streams_live", "Streams with a publisher"))
        bytesIn = prometheus.makeGauge(descriptor: Self.gauge("relay_input_bytes", "Bytes received from publishers of current streams"))
        bytesOut = prometheus.makeGauge(descriptor: Self.gauge("relay_output_bytes", "Bytes sent to current players"))
        gopDrops = prometheus.makeGauge(
            descriptor: Self.gauge("relay_player_gop_drops", "Backlog overflows cut back to the next keyframe, current players")
        )
    }

    /// A gauge's name as it is written (no unit suffix) and its help line.
    private static func gauge(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Counts a rung switch, a transcoder's dropped frames or its decoding errors
    /// (``RenditionDirectory``'s observer).
    public static func record(_ event: RenditionDirectory.Event) {
        switch event {
        case .switched(let direction):
            Metrics.Counter(label: "relay_rendition_switches_total", dimensions: [("direction", direction.rawValue)]).increment()
        case .transcodeLosses(let dropped, let decodeErrors):
            if dropped > 0 { Metrics.Counter(label: "relay_transcode_dropped_frames_total").increment(by: Int64(dropped)) }
            if decodeErrors > 0 { Metrics.Counter(label: "relay_transcode_decode_errors_total").increment(by: Int64(decodeErrors)) }
        }
    }

    public func render() -> String {
        if let registry {
            let snapshots = registry.snapshots()
            streamsLive.set(Double(snapshots.filter { $0.publisher != nil }.count))
            bytesIn.set(Double(snapshots.reduce(0) { $0 + $1.inputBytes }))
            var counts: [String: Int] = [:]
            var out = 0
            for viewer in snapshots.flatMap(\.viewers) {
                counts["\(viewer.transport.rawValue)|\(viewer.rendition)", default: 0] += 1
                out += viewer.bytesSent
            }
            bytesOut.set(Double(out))
            gopDrops.set(Double(snapshots.flatMap(\.viewers).reduce(0) { $0 + $1.gopDrops }))
            players.withLockedValue { gauges in
                for key in Set(gauges.keys).union(counts.keys) {
                    let gauge =
                        gauges[key]
                        ?? {
                            let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                            let g = prometheus.makeGauge(
                                descriptor: Self.gauge("relay_players", "Players connected"),
                                labels: [("protocol", parts[0]), ("rendition", parts[1])]
                            )
                            gauges[key] = g
                            return g
                        }()
                    gauge.set(Double(counts[key] ?? 0))
                }
            }
        }
        return prometheus.emitToString()
    }
}
