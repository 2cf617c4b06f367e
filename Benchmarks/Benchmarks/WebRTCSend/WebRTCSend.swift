import Benchmark
import WebRTC

// The WebRTC send path per packet per viewer: one delta frame (≈ 8 kB, 7 packets, shared
// payloads packetized once) to N connected sessions, each writing its RTP header and SRTP
// (AES-GCM) into a pooled send buffer. Mallocs are counted exactly: a per-viewer or per-packet
// allocation shows as +N×7 per iteration at N viewers.
//
// libsrtp2 (Debian's, on OpenSSL 3) itself allocates 5 times per srtp_protect with AES-GCM (14
// with AES-CM + HMAC-SHA1; counted with an interposing malloc in a C program), so the expected
// count is 5 × 7 = 35 per viewer per frame, all inside libsrtp2, plus a constant per frame; the
// thresholds say exactly that, so any allocation of our own on the send path fails them.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 2,
        maxDuration: .seconds(2),
        maxIterations: 1000
    )
    let libsrtpMallocsPerProtect = 5
    let perFrameConstant = 20

    for viewers in [1, 50, 200] {
        let expected = viewers * 7 * libsrtpMallocsPerProtect + perFrameConstant
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
