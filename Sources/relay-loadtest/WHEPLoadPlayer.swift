import Foundation
import NIOCore
import NIOPosix
import WebRTC

/// `http://host:port/path?query`: a WHEP endpoint (relayd's `/whep/live/<class>?key=…`, SRS's
/// `/rtc/v1/whep/?app=live&stream=…`).
struct WHEPURL {
    let host: String
    let port: Int
    let pathAndQuery: String

    init?(_ text: String) {
        guard let components = URLComponents(string: text), components.scheme == "http", let host = components.host else { return nil }
        self.host = host
        port = components.port ?? 80
        pathAndQuery = components.percentEncodedPath + (components.percentEncodedQuery.map { "?\($0)" } ?? "")
    }
}

/// One non-browser WebRTC viewer: POSTs its offer, then runs a ``WHEPClientSession`` on a UDP
/// channel of its own (as a browser has its own port), ticking every 20 ms. Measures what the
/// RTMP players measure: bytes, first keyframe after the POST, stalls, and relay-added latency
/// of video frames (each frame's RTP timestamp mapped back to the publisher's FLV timestamp
/// through a keyframe's fingerprint; needs a source without B-frames).
final class WHEPLoadPlayer: @unchecked Sendable {
    let url: WHEPURL
    let loop: any EventLoop
    private let sendLog: SendLog?
    private let identity: WHEPClientIdentity
    private let decryptsEveryPacket: Bool
    // Loop-confined after start().
    private var session: WHEPClientSession?
    private var channel: (any Channel)?
    private var server: SocketAddress?
    private var ticker: RepeatedTask?
    private var resource: String?
    private var failure: String?
    private var startedAt: UInt64 = 0
    private var rtpOffset: UInt32?
    private(set) var latencies: [UInt32] = []
    /// `WHEP_TRACE=1`: log every frame's arrival and each viewer's counters at the end (read
    /// once: `ProcessInfo.environment` builds a dictionary per call).
    static let tracing = ProcessInfo.processInfo.environment["WHEP_TRACE"] != nil

    init(url: WHEPURL, identity: WHEPClientIdentity, sendLog: SendLog?, loop: any EventLoop, decryptsEveryPacket: Bool) {
        self.url = url
        self.decryptsEveryPacket = decryptsEveryPacket
        self.identity = identity
        self.sendLog = sendLog
        self.loop = loop
    }

    /// The POST and the socket (blocking the caller); the session then runs on `loop`.
    func start() {
        startedAt = NIODeadline.now().uptimeNanoseconds
        do {
            let session = try WHEPClientSession(identity: identity, now: .now())
            let response = try HTTPRequest.send(
                method: "POST", host: url.host, port: url.port, path: url.pathAndQuery,
                headers: ["Content-Type": "application/sdp"], body: session.offer
            )
            guard response.status == 201 || response.status == 200 else {
                throw LoadTestError("WHEP POST answered \(response.status): \(response.body.prefix(200))")
            }
            resource = response.headers["location"]
            let target = try session.accept(answer: response.body)
            let server = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
            let channel = try DatagramBootstrap(group: loop)
                .channelOption(.socketOption(.so_rcvbuf), value: 1 << 20)
                .channelOption(.datagramVectorReadMessageCount, value: 16)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 16 * 2048))
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(WHEPDatagramHandler(player: self)) }
                }
                .bind(host: "127.0.0.1", port: 0).wait()
            // Set before the loop first touches them (submit orders the writes before the closure).
            session.onVideoFrame = { [unowned self] frame in self.measure(frame) }
            session.decryptsEveryPacket = decryptsEveryPacket
            self.session = session
            self.channel = channel
            self.server = server
            try loop.submit { [self] in
                guard let session = self.session else { return }
                send(session.start(now: .now()))
                ticker = loop.scheduleRepeatedTask(initialDelay: .milliseconds(20), delay: .milliseconds(20)) { [self] _ in
                    guard let session = self.session else { return }
                    send(session.tick(now: .now()))
                }
            }.wait()
        } catch {
            failure = "\(error)"
        }
    }

    func receive(_ datagram: ByteBuffer, from address: SocketAddress) {
        guard let session else { return }
        send(session.receive(datagram, from: address, now: .now()))
    }

    private func send(_ datagrams: [ByteBuffer]) {
        guard let channel, let server else { return }
        for datagram in datagrams { channel.write(AddressedEnvelope(remoteAddress: server, data: datagram), promise: nil) }
        if !datagrams.isEmpty { channel.flush() }
    }

    private func measure(_ frame: WHEPReceivedFrame) {
        if Self.tracing {
            log("frame +\((NIODeadline.now().uptimeNanoseconds - startedAt) / 1_000_000) ms ts \(frame.rtpTimestamp) key \(frame.isKeyframe)")
        }
        guard let sendLog else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        if let fingerprint = frame.idrFingerprint, let sent = sendLog.idrTimestamp(fingerprint) {
            rtpOffset = frame.rtpTimestamp &- sent &* 90
        }
        guard let rtpOffset else { return }
        let original = (frame.rtpTimestamp &- rtpOffset) / 90
        guard let sent = sendLog.sentAt(type: 9, timestamp: original), sent >= startedAt, now >= sent else { return }
        latencies.append(UInt32(min((now - sent) / 1000, UInt64(UInt32.max))))
    }

    /// Counters in the RTMP players' terms (read on the loop).
    func snapshot() -> PlayerSnapshot {
        guard let session else { return PlayerSnapshot(failure: failure) }
        let stats = session.stats
        var snapshot = PlayerSnapshot()
        snapshot.bytes = stats.wireBytes
        snapshot.mediaMessages = stats.frames
        snapshot.firstKeyframeNanos = stats.firstKeyframeAt.map { UInt64(max(0, $0.nanoseconds)) }
        snapshot.stalls = stats.stalls
        snapshot.connected = session.state == .connected
        switch session.state {
        case .failed(let error):
            snapshot.failure = "\(error)"
            snapshot.disconnected = true
        default:
            snapshot.failure = failure
        }
        snapshot.lostPackets = stats.lostPackets
        return snapshot
    }

    /// DTLS close_notify, the socket closed, then DELETE of the WHEP resource (blocking).
    func stop() {
        try? loop.submit { [self] in
            ticker?.cancel()
            if Self.tracing, let session { log("stats \(session.stats)") }
            if let session { send(session.close()) }
            channel?.close(promise: nil)
        }.wait()
        guard let resource else { return }
        let path = resource.hasPrefix("http") ? (WHEPURL(resource)?.pathAndQuery ?? resource) : resource
        _ = try? HTTPRequest.send(method: "DELETE", host: url.host, port: url.port, path: path, timeout: 2)
    }
}

/// Hands the player's datagrams to it on the channel's loop.
final class WHEPDatagramHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let player: WHEPLoadPlayer

    init(player: WHEPLoadPlayer) { self.player = player }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        player.receive(envelope.data, from: envelope.remoteAddress)
    }
}
