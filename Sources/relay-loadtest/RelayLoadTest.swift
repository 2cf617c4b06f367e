import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import RTMP
import WebRTC

@main
struct RelayLoadTest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay-loadtest",
        abstract:
            "Opens N RTMP, SRT or WebRTC (WHEP) players (and optionally a real-time FLV publisher over RTMP) against any server and reports what they got.",
        subcommands: [Run.self, Summarize.self, KernelFloor.self, KernelFloorReader.self],
        defaultSubcommand: Run.self
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run one load test.")

    @Option(
        help:
            "Stream the players play: rtmp://host[:port]/app/stream[?query], srt://host:port?streamid=... for SRT players (latency is not measured for SRT), http://host:port/.../index.m3u8 for HLS players (relayd: /hls/live/<class>/index.m3u8?key=...; see --hls-variant), or http://host:port/<WHEP endpoint> for WebRTC players (relayd: /whep/live/<class>?key=...; SRS: /rtc/v1/whep/?app=live&stream=...; latency needs a source without B-frames). Give --publish-url with the last two."
    )
    var url: String

    @Option(help: "Where the publisher publishes (default: --url).")
    var publishURL: String?

    @Option(help: "FLV file to publish at real time (looped). Without it, only players run and latency is not measured.")
    var flv: String?

    @Option(help: "Number of players.")
    var players = 10

    @Option(help: "Measurement window in seconds, after all players connected and the warm-up.")
    var duration = 30.0

    @Option(help: "Seconds between the last player connecting and the start of the measurement window.")
    var warmup = 2.0

    @Option(help: "The variant HLS players take from the multivariant playlist (a rung name or source; default: the first listed).")
    var hlsVariant: String?

    @Flag(
        help:
            "WebRTC players decrypt every SRTP packet, as a browser does (default: only each frame's first packet, so the load generator's CPU goes to the server; the rest is counted from the clear RTP header)."
    )
    var decryptAll = false

    @Option(help: "Players connected per second.")
    var connectRate = 100.0

    @Option(help: "Seconds the publisher runs before the first player connects.")
    var lead = 2.0

    @Option(name: .customLong("pid"), help: "Server process to measure (CPU, RSS, context switches); repeat for several (nginx master and workers).")
    var pids: [Int32] = []

    @Option(help: "Event loop threads of the load generator (default: cores).")
    var threads = System.coreCount

    @Option(help: "Name of this run in reports (e.g. relayd, nginx).")
    var label = "server"

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    func run() throws {
        let srtURL = SRTURL(url)
        let hlsURL = HLSURL(url)
        let whepURL = hlsURL == nil ? WHEPURL(url) : nil
        guard let playURL = srtURL == nil && whepURL == nil && hlsURL == nil ? RTMPURL(url) : RTMPURL("rtmp://127.0.0.1/other/players") else {
            throw ValidationError("bad --url \(url)")
        }
        guard let pubURL = RTMPURL(publishURL ?? url) else { throw ValidationError("bad --publish-url (an rtmp:// URL)") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        defer { try? group.syncShutdownGracefully() }
        let sendLog = SendLog()
        let runStart = Date()

        // Publisher.
        var publisher: (handler: PublisherHandler, channel: any Channel)?
        if let flv {
            let file = try FLVFile(path: flv)
            guard !file.tags.isEmpty else { throw ValidationError("\(flv) has no tags") }
            let loop = group.next()
            let started = loop.makePromise(of: Void.self)
            let handler = PublisherHandler(url: pubURL, file: file, sendLog: sendLog, started: started)
            let channel = try ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            RTMPClientHandshakeHandler(), ByteToMessageHandler(RTMPChunkDecoder()), handler,
                        ])
                    }
                }
                .connect(host: pubURL.host, port: pubURL.port).wait()
            let timeout = loop.scheduleTask(in: .seconds(10)) {
                started.fail(LoadTestError("no NetStream.Publish.Start within 10 s"))
            }
            try started.futureResult.wait()
            timeout.cancel()
            publisher = (handler, channel)
            log("publishing \(flv) (\(file.tags.count) tags, \(file.loopDuration) ms per loop) to \(publishURL ?? url)")
            Thread.sleep(forTimeInterval: lead)
        }

        // Players, connected at --connect-rate.
        var handlers: [(PlayerHandler, EventLoopFuture<any Channel>)] = []
        handlers.reserveCapacity(players)
        let bootstrapBase = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        let gap = 1.0 / max(connectRate, 0.001)
        let rampStart = Date()
        var srtPlayers: [SRTLoadPlayer] = []
        var whepPlayers: [WHEPLoadPlayer] = []
        var hlsPlayers: [HLSLoadPlayer] = []
        let identity = whepURL == nil ? nil : try WHEPClientIdentity()
        for index in 0..<players {
            // The next player's slot at --connect-rate (after this one started).
            defer {
                let next = rampStart.addingTimeInterval(Double(index + 1) * gap)
                if next.timeIntervalSinceNow > 0 { Thread.sleep(forTimeInterval: next.timeIntervalSinceNow) }
            }
            if let whepURL, let identity {
                let player = WHEPLoadPlayer(
                    url: whepURL, identity: identity, sendLog: flv == nil ? nil : sendLog, loop: group.next(), decryptsEveryPacket: decryptAll)
                player.start()
                whepPlayers.append(player)
                continue
            }
            if let hlsURL {
                let player = HLSLoadPlayer(url: hlsURL, variant: hlsVariant, startedAt: NIODeadline.now().uptimeNanoseconds)
                player.start()
                hlsPlayers.append(player)
                continue
            }
            if let srtURL {
                let player = SRTLoadPlayer(url: srtURL, startedAt: NIODeadline.now().uptimeNanoseconds)
                player.start()
                srtPlayers.append(player)
                continue
            }
            let counter = ByteCounter()
            let handler = PlayerHandler(
                url: playURL, sendLog: flv == nil ? nil : sendLog, counter: counter,
                startedAt: NIODeadline.now().uptimeNanoseconds)
            let future =
                bootstrapBase
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            counter, RTMPClientHandshakeHandler(), ByteToMessageHandler(RTMPChunkDecoder()), handler,
                        ])
                    }
                }
                .connect(host: playURL.host, port: playURL.port)
            handlers.append((handler, future))
        }
        var connectFailures: [String] = []
        var channels: [(PlayerHandler, any Channel)] = []
        for (handler, future) in handlers {
            do {
                channels.append((handler, try future.wait()))
            } catch {
                connectFailures.append("\(error)")
            }
        }
        if !srtPlayers.isEmpty { Thread.sleep(forTimeInterval: 1) }  // SRT handshakes complete on their threads
        if !whepPlayers.isEmpty { Thread.sleep(forTimeInterval: 1) }  // ICE and DTLS complete on the loops
        func whepSnapshot(_ player: WHEPLoadPlayer) -> PlayerSnapshot {
            (try? player.loop.submit { player.snapshot() }.wait()) ?? PlayerSnapshot()
        }
        // SRT and WebRTC players (their own threads or loops, not a channel future each).
        if !hlsPlayers.isEmpty { Thread.sleep(forTimeInterval: 3) }  // HLS players start on their first segment
        let threadedConnected =
            srtPlayers.filter { $0.snapshot().connected }.count + whepPlayers.filter { whepSnapshot($0).connected }.count
            + hlsPlayers.filter { $0.snapshot().connected }.count
        log(
            "\(channels.count + threadedConnected) of \(players) players connected in \(String(format: "%.1f", -rampStart.timeIntervalSinceNow)) s; warm-up \(warmup) s"
        )
        Thread.sleep(forTimeInterval: warmup)

        // Measurement window.
        func snapshots() -> [PlayerSnapshot] {
            channels.map { handler, channel in
                (try? channel.eventLoop.submit { handler.snapshot() }.wait()) ?? PlayerSnapshot()
            } + srtPlayers.map { $0.snapshot() } + whepPlayers.map(whepSnapshot) + hlsPlayers.map { $0.snapshot() }
        }
        let before = snapshots()
        let procBefore = ProcSample.read(pids: pids)
        let selfBefore = ProcSample.read(pids: [getpid()])
        let windowStart = Date()
        var rssSeries: [Int] = [procBefore.rssBytes]
        while windowStart.timeIntervalSinceNow > -duration {
            Thread.sleep(forTimeInterval: min(1.0, duration + windowStart.timeIntervalSinceNow))
            if !pids.isEmpty { rssSeries.append(ProcSample.read(pids: pids).rssBytes) }
        }
        let after = snapshots()
        let procAfter = ProcSample.read(pids: pids)
        let selfAfter = ProcSample.read(pids: [getpid()])
        let window = -windowStart.timeIntervalSinceNow

        // Stop everything we started.
        for player in srtPlayers { player.stop() }
        for player in hlsPlayers { player.stop() }
        connectFailures += after.suffix(srtPlayers.count + whepPlayers.count + hlsPlayers.count).filter { !$0.connected }.compactMap(\.failure)
        for (handler, channel) in channels {
            _ = channel.eventLoop.submit { handler.stopping = true }
        }
        var latencies: [UInt32] = []
        for player in whepPlayers {
            if let values = try? player.loop.submit({ player.latencies }).wait() { latencies += values }
            player.stop()
        }
        for (handler, channel) in channels {
            if let values = try? channel.eventLoop.submit({ handler.latencies }).wait() { latencies += values }
            channel.close(promise: nil)
        }
        var publisherMessages = 0
        var publisherFailure: String?
        if let publisher {
            let (messages, failure, disconnected) = try publisher.channel.eventLoop.submit {
                publisher.handler.stopping = true
                return (publisher.handler.messagesSent, publisher.handler.failure, publisher.handler.disconnected)
            }.wait()
            publisherMessages = messages
            publisherFailure = failure ?? (disconnected ? "publisher disconnected" : nil)
            try? publisher.channel.close().wait()
        }

        // Report.
        var report = Report(label: label, url: url, players: players, windowSeconds: window)
        report.connected = channels.count + threadedConnected
        report.connectFailures = connectFailures.count
        let perPlayer = zip(before, after).map { Double($1.bytes - $0.bytes) * 8 / window / 1e6 }.sorted()
        report.deliveredBytes = zip(before, after).reduce(0) { $0 + $1.1.bytes - $1.0.bytes }
        report.totalMbps = Double(report.deliveredBytes) * 8 / window / 1e6
        report.perPlayerMbpsMin = perPlayer.first ?? 0
        report.perPlayerMbpsMedian = perPlayer.isEmpty ? 0 : perPlayer[perPlayer.count / 2]
        let firsts = after.compactMap(\.firstKeyframeNanos).map { $0 / 1_000 }.sorted()
        report.gotKeyframe = firsts.count
        report.firstKeyframeP50Ms = percentile(firsts, 50).map { Double($0) / 1000 }
        report.firstKeyframeP99Ms = percentile(firsts, 99).map { Double($0) / 1000 }
        report.stalls = after.reduce(0) { $0 + $1.stalls }
        report.lostPackets = zip(before, after).reduce(0) { $0 + $1.1.lostPackets - $1.0.lostPackets }
        report.httpRequests = zip(before, after).reduce(0) { $0 + $1.1.requests - $1.0.requests }
        report.disconnects = after.filter(\.disconnected).count
        report.toldEnded = after.filter(\.toldEnded).count
        report.failures = Array(Set(after.compactMap(\.failure) + connectFailures + (publisherFailure.map { [$0] } ?? []))).sorted()
        latencies.sort()
        report.latencySamples = latencies.count
        report.latencyP50Ms = percentile(latencies, 50).map { Double($0) / 1000 }
        report.latencyP99Ms = percentile(latencies, 99).map { Double($0) / 1000 }
        report.latencyMaxMs = latencies.last.map { Double($0) / 1000 }
        report.publisherMessages = publisherMessages
        if !pids.isEmpty {
            let delta = procAfter - procBefore
            report.server = delta
            report.cpuSecondsPerGB = report.deliveredBytes > 0 ? delta.cpuSeconds / (Double(report.deliveredBytes) / 1e9) : nil
            report.rssStartMB = Double(procBefore.rssBytes) / 1_048_576
            report.rssEndMB = Double(procAfter.rssBytes) / 1_048_576
            report.rssMaxMB = Double(rssSeries.max() ?? 0) / 1_048_576
        }
        report.loadGeneratorCPUSeconds = (selfAfter - selfBefore).cpuSeconds
        report.totalSeconds = -runStart.timeIntervalSinceNow
        print(report.text)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

func log(_ line: String) {
    FileHandle.standardError.write(Data("relay-loadtest: \(line)\n".utf8))
}

struct Report: Codable {
    var label: String
    var url: String
    var players: Int
    var windowSeconds: Double
    var connected = 0
    var connectFailures = 0
    var deliveredBytes = 0
    var totalMbps = 0.0
    var perPlayerMbpsMin = 0.0
    var perPlayerMbpsMedian = 0.0
    var gotKeyframe = 0
    var firstKeyframeP50Ms: Double?
    var firstKeyframeP99Ms: Double?
    var stalls = 0
    var lostPackets = 0
    var httpRequests = 0
    var disconnects = 0
    /// RTMP players the server told the stream ended (status Play.Stop or UnpublishNotify).
    var toldEnded = 0
    var failures: [String] = []
    var latencySamples = 0
    var latencyP50Ms: Double?
    var latencyP99Ms: Double?
    var latencyMaxMs: Double?
    var publisherMessages = 0
    var server: ProcSample?
    var cpuSecondsPerGB: Double?
    var rssStartMB: Double?
    var rssEndMB: Double?
    var rssMaxMB: Double?
    var loadGeneratorCPUSeconds = 0.0
    var totalSeconds = 0.0

    init(label: String, url: String, players: Int, windowSeconds: Double) {
        self.label = label
        self.url = url
        self.players = players
        self.windowSeconds = windowSeconds
    }

    var text: String {
        func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var lines = [
            "label: \(label)",
            "url: \(url)",
            "players: \(connected)/\(players) connected, \(connectFailures) connect failures",
            "window: \(f(windowSeconds)) s",
            "delivered: \(f(totalMbps)) Mbit/s total, per player min \(f(perPlayerMbpsMin, 2)) median \(f(perPlayerMbpsMedian, 2)) Mbit/s, \(f(Double(deliveredBytes) / 1e9, 3)) GB",
            "first keyframe: \(gotKeyframe)/\(players) players, p50 \(f(firstKeyframeP50Ms)) ms p99 \(f(firstKeyframeP99Ms)) ms",
            "latency: p50 \(f(latencyP50Ms, 2)) ms p99 \(f(latencyP99Ms, 2)) ms max \(f(latencyMaxMs, 2)) ms (\(latencySamples) messages)",
            "stalls: \(stalls)",
            "lost packets (WebRTC): \(lostPackets)",
            "http requests (HLS): \(httpRequests) (\(f(Double(httpRequests) / max(windowSeconds, 0.001))) per s)",
            "disconnects: \(disconnects)",
            "publisher messages: \(publisherMessages)",
        ]
        if let server {
            lines += [
                "server cpu: \(f(server.cpuSeconds, 2)) s (user \(f(server.userSeconds, 2)) sys \(f(server.systemSeconds, 2))), \(f(cpuSecondsPerGB, 3)) CPU-s per delivered GB",
                "server rss: start \(f(rssStartMB)) MB end \(f(rssEndMB)) MB max \(f(rssMaxMB)) MB",
                "server context switches: \(server.voluntarySwitches) voluntary \(server.involuntarySwitches) involuntary (\(f(Double(server.voluntarySwitches + server.involuntarySwitches) / windowSeconds, 0))/s)",
            ]
        }
        lines.append("load generator cpu: \(f(loadGeneratorCPUSeconds, 2)) s")
        if !failures.isEmpty { lines.append("failures: \(failures.joined(separator: "; "))") }
        return lines.joined(separator: "\n")
    }
}

struct Summarize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Average JSON reports by label and print a Markdown table with the CPU ratio.")

    @Option(help: "Ratio to print, as NUMERATOR/DENOMINATOR labels (e.g. relayd/nginx).")
    var ratio: String?

    @Argument(help: "JSON reports written by --json.")
    var files: [String]

    func run() throws {
        let decoder = JSONDecoder()
        let reports = try files.map { try decoder.decode(Report.self, from: Data(contentsOf: URL(fileURLWithPath: $0))) }
        var order: [String] = []
        var groups: [String: [Report]] = [:]
        for report in reports {
            if groups[report.label] == nil { order.append(report.label) }
            groups[report.label, default: []].append(report)
        }
        func mean(_ rs: [Report], _ key: (Report) -> Double?) -> Double? {
            let values = rs.compactMap(key)
            return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
        }
        func f(_ v: Double?, _ digits: Int = 1) -> String { v.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var cpuPerGB: [String: Double] = [:]
        print(
            "| server | rounds | players | Mbit/s delivered | CPU-s (user+sys) | CPU-s per GB | RSS start→end (max) MB | latency p50 / p99 ms | first keyframe p50 / p99 ms | stalls | disconnects | ctx switches/s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for label in order {
            let rs = groups[label]!
            let perGB = mean(rs) { $0.cpuSecondsPerGB }
            cpuPerGB[label] = perGB
            let switches = mean(rs) { r in r.server.map { Double($0.voluntarySwitches + $0.involuntarySwitches) / r.windowSeconds } }
            print(
                "| \(label) | \(rs.count) | \(rs[0].players) | \(f(mean(rs) { $0.totalMbps })) | \(f(mean(rs) { $0.server?.cpuSeconds }, 2)) (\(f(mean(rs) { $0.server?.userSeconds }, 2))+\(f(mean(rs) { $0.server?.systemSeconds }, 2))) | \(f(perGB, 3)) | \(f(mean(rs) { $0.rssStartMB }))→\(f(mean(rs) { $0.rssEndMB })) (\(f(rs.compactMap(\.rssMaxMB).max()))) | \(f(mean(rs) { $0.latencyP50Ms }, 2)) / \(f(mean(rs) { $0.latencyP99Ms }, 2)) | \(f(mean(rs) { $0.firstKeyframeP50Ms }, 0)) / \(f(mean(rs) { $0.firstKeyframeP99Ms }, 0)) | \(rs.map(\.stalls).reduce(0, +)) | \(rs.map(\.disconnects).reduce(0, +)) | \(f(switches, 0)) |"
            )
        }
        if let ratio {
            let parts = ratio.split(separator: "/").map(String.init)
            if parts.count == 2, let a = cpuPerGB[parts[0]], let b = cpuPerGB[parts[1]], b > 0 {
                print("\nCPU-s per delivered GB, \(parts[0])/\(parts[1]) = \(String(format: "%.3f", a / b))")
            }
        }
    }
}
