import Benchmark
import WebRTC

// The WebRTC send path per packet per viewer: one delta frame (≈ 8 kB, 7 packets, shared
// payloads packetized once) to N connected sessions, each writing its RTP header and SRTP
// (AES-GCM, SRTPPacketSealer on one OpenSSL cipher context per session) into a pooled send
// buffer. Mallocs are counted exactly: a per-viewer or per-packet allocation shows as +N×7 per
// iteration at N viewers.
//
// The target is 0 per packet per viewer, so the threshold is the per-frame constant alone at every
// viewer count. (libsrtp2's srtp_protect, used before SRTPPacketSealer, allocates 5 times per
// packet with AES-GCM and 14 with AES-CM on OpenSSL 3.)
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 2,
        maxDuration: .seconds(2),
        maxIterations: 1000
    )
    let perFrameConstant = 20

    for viewers in [1, 50, 200] {
        let expected = perFrameConstant
        let configuration = Benchmark.Configuration(
            metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput], timeUnits: .microseconds, warmupIterations: 2,
            maxDuration: .seconds(2), maxIterations: 1000,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: expected])]
        )
        // One iteration = one frame to every viewer.
        Benchmark("WebRTCSession.send one frame, \(viewers) viewers", configuration: configuration) { benchmark, rig in
            for _ in benchmark.scaledIterations {
                rig.sendFrame()
            }
            blackHole(rig.bytesSent)
        } setup: {
            try WebRTCSendRig(viewers: viewers)
        }
    }
}
