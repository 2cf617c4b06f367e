import Foundation
import Logging
import NIOCore
import RelayCore

/// The WebRTC send path without sockets, for `Benchmarks/` (malloc counts per packet per
/// viewer): `viewers` real ``WebRTCSession``s, each connected to a ``WHEPClientSession``
/// through ICE and a real DTLS handshake in memory, fed one shared packetized frame after
/// another exactly as the runtime feeds them (per viewer: RTP header, SRTP protect into a pooled
/// send buffer of the real ``WebRTCRoutes``, the viewer's NACK runs over one stream ring). Nothing leaves the process: the
/// routes have no socket, so a buffer returns to its pool slot as soon as it is "sent".
public final class WebRTCSendRig {
    public let viewers: Int
    let sessions: [WebRTCSession]
    let routes = WebRTCRoutes()
    let delta: RTPFrame
    /// The stream's packets for NACKs, recorded once per frame as the feed's fan-out does.
    let retransmissions = StreamRetransmissions()
    var timestamp: UInt32 = 90_000

    /// Packets of one delta frame (one iteration sends this many to every viewer).
    public var packetsPerFrame: Int { delta.payloads.count }
    /// SRTP bytes the sessions produced.
    public var bytesSent: Int { sessions.reduce(0) { $0 + $1.stats.bytesSent } }

    /// `frameBytes` is the delta frame's size (about 8 kB: a 2 Mbit/s 30 fps picture).
    public init(viewers: Int, frameBytes: Int = 8_000) throws {
        self.viewers = viewers
        let now = NIODeadline.now()
        let wallClock = Date()
        let identity = try WHEPClientIdentity()
        let relayContext = try DTLSContext()
        var sessions: [WebRTCSession] = []
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 9)
        for index in 0..<viewers {
            let client = try WHEPClientSession(identity: identity, now: now)
            let negotiated = try SendNegotiation.negotiate(offer: try SessionDescription.parse(client.offer), preferredH264ProfileIDC: 0x64)
            let session = WebRTCSession(
                id: "bench-\(index)", source: StreamKey(app: "live", name: "bench"), grant: AccessGrant(schoolId: "bench"),
                local: ICECredentials.random(), negotiated: negotiated, dtls: try DTLSTransport(context: relayContext, role: .server),
                playback: PlaybackChoice(playing: "source", adaptive: false), configuration: .init(), now: now, wallClock: wallClock,
                logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            let candidate = ICECandidate(foundation: "1", transport: .udp, priority: 1, address: "127.0.0.1", port: 9)
            _ = try client.accept(
                answer: SDPAnswer.render(negotiated, local: session.localDescription(fingerprint: relayContext.fingerprint, candidates: [candidate])))
            let wire = DatagramCollector()
            var toRelay = client.start(now: now)
            for _ in 0..<20 where session.state != .connected || client.state != .connected {
                for datagram in toRelay { _ = session.receive(datagram, from: address, now: now, wallClock: wallClock, output: wire) }
                toRelay = wire.take().flatMap { client.receive($0, from: address, now: now) }
            }
            guard session.state == .connected else { throw SetupFailure(reason: "viewer \(index) did not connect") }
            sessions.append(session)
        }
        self.sessions = sessions
        var packetizer = H264Packetizer()
        let idr = Self.avcc(nalType: 5, size: frameBytes * 4)
        let keyframe = RTPFrame(
            track: .video,
            payloads: packetizer.packetize(
                accessUnit: idr, nalLengthSize: 4, sps: [Self.nal(type: 7, size: 12)], pps: [Self.nal(type: 8, size: 4)], isKeyframe: true),
            timestamp: 0, isKeyframe: true
        )
        delta = RTPFrame(
            track: .video,
            payloads: packetizer.packetize(
                accessUnit: Self.avcc(nalType: 1, size: frameBytes), nalLengthSize: 4, sps: [], pps: [], isKeyframe: false),
            timestamp: 0, isKeyframe: false
        )
        let stored = retransmissions.record(keyframe)
        for session in sessions { session.send(stored, from: retransmissions, now: now, output: routes) }
        // Warm up: every history slot and pool slot reaches its steady state.
        for _ in 0..<300 { sendFrame() }
    }

    /// One delta frame to every viewer (the shared payloads; per viewer header + SRTP).
    @inline(__always)
    public func sendFrame() {
        timestamp &+= 3000
        let frame = retransmissions.record(RTPFrame(track: .video, payloads: delta.payloads, timestamp: timestamp, isKeyframe: false))
        let now = NIODeadline.now()
        for session in sessions { session.send(frame, from: retransmissions, now: now, output: routes) }
        routes.flush()
    }

    static func nal(type: UInt8, size: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        buffer.writeInteger(0x60 | type)
        for index in 1..<max(size, 2) { buffer.writeInteger(UInt8(truncatingIfNeeded: index &* 31)) }
        return buffer
    }

    static func avcc(nalType: UInt8, size: Int) -> ByteBuffer {
        let nal = nal(type: nalType, size: size)
        var buffer = ByteBufferAllocator().buffer(capacity: size + 4)
        buffer.writeInteger(UInt32(nal.readableBytes))
        buffer.writeImmutableBuffer(nal)
        return buffer
    }

    public struct SetupFailure: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }
}
