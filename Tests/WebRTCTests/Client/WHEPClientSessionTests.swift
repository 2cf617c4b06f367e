import NIOCore
import RelayCore
import Testing

@testable import WebRTC

/// The load generator's WHEP client against the relay's own session state machine, in memory:
/// the offer is one the relay negotiates, ICE and DTLS complete, frames arrive counted with
/// their keyframes and fingerprints, a lost packet is counted, receiver reports reach the relay.
@Suite("WHEP client session")
struct WHEPClientSessionTests {
    static let clientAddress = try! SocketAddress(ipAddress: "127.0.0.1", port: 50_001)
    static let relayAddress = try! SocketAddress(ipAddress: "127.0.0.1", port: 8_189)

    struct Pair {
        let client: WHEPClientSession
        let relay: WebRTCSession
        let output = DatagramCollector()

        /// Delivers everything both sides have to send until neither has anything, `dropping`
        /// relay datagrams for which it returns true.
        func pump(now: NIODeadline, first: [ByteBuffer] = [], dropping: (ByteBuffer) -> Bool = { _ in false }) {
            var toRelay = first
            for _ in 0..<20 {
                for datagram in toRelay {
                    _ = relay.receive(datagram, from: WHEPClientSessionTests.clientAddress, now: now, wallClock: testWallClock, output: output)
                }
                toRelay = []
                let fromRelay = output.take()
                if fromRelay.isEmpty { break }
                for datagram in fromRelay where !dropping(datagram) {
                    toRelay += client.receive(datagram, from: WHEPClientSessionTests.relayAddress, now: now)
                }
            }
        }
    }

    static func connectedPair(now: NIODeadline) throws -> Pair {
        let client = try WHEPClientSession(identity: WHEPClientIdentity(), now: now)
        let negotiated = try SendNegotiation.negotiate(offer: try SessionDescription.parse(client.offer), preferredH264ProfileIDC: 0x64)
        let relay = WebRTCSession(
            id: "s1", source: StreamKey(app: "live", name: "math"), grant: AccessGrant(schoolId: "site-a"),
            local: ICECredentials.random(), negotiated: negotiated, dtls: try DTLSTransport(context: DTLSTestContexts.server, role: .server),
            playback: PlaybackChoice(playing: "source", adaptive: false), configuration: .init(), now: now, wallClock: testWallClock,
            logger: .init(label: "test")
        )
        let candidate = ICECandidate(
            foundation: "1", transport: .udp, priority: ICECandidate.priority(localPreference: 65535), address: "127.0.0.1", port: 8189)
        let answer = SDPAnswer.render(
            negotiated, local: relay.localDescription(fingerprint: DTLSTestContexts.server.fingerprint, candidates: [candidate]))
        let target = try client.accept(answer: answer)
        #expect(target.host == "127.0.0.1" && target.port == 8189)
        let pair = Pair(client: client, relay: relay)
        pair.pump(now: now, first: client.start(now: now))
        return pair
    }

    @Test func itConnectsAndCountsFramesKeyframesAndLoss() throws {
        let now = NIODeadline.now()
        let pair = try Self.connectedPair(now: now)
        #expect(pair.client.state == .connected)
        #expect(pair.relay.state == .connected)
        #expect(pair.client.stats.checksAnswered == 1)

        var frames: [WHEPReceivedFrame] = []
        pair.client.onVideoFrame = { frames.append($0) }
        pair.relay.send(WebRTCSessionTests.keyframe(timestamp: 90_000, size: 5000), now: now, output: pair.output)
        pair.pump(now: now)
        let idr = H264TestStreams.nal(type: 5, size: 5000)
        #expect(frames.count == 1)
        #expect(frames.first?.isKeyframe == true)
        #expect(frames.first?.idrFingerprint == WHEPClientSession.nalFingerprint(idr.readableBytesView.dropFirst()))
        #expect(pair.client.stats.keyframes == 1)
        #expect(pair.client.stats.firstKeyframeAt != nil)
        #expect(pair.client.stats.lostPackets == 0)

        // A delta frame loses its second packet (of three): counted, and the frame still ends.
        var packetizer = H264Packetizer()
        let delta = RTPFrame(
            track: .video,
            payloads: packetizer.packetize(
                accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 3000)]), nalLengthSize: 4, sps: [], pps: [], isKeyframe: false),
            timestamp: 93_000, isKeyframe: false
        )
        #expect(delta.payloads.count == 3)
        pair.relay.send(delta, now: now, output: pair.output)
        var index = 0
        pair.pump(now: now) { _ in
            defer { index += 1 }
            return index == 1
        }
        #expect(pair.client.stats.lostPackets == 1)
        #expect(frames.count == 2)
        #expect(frames.last?.isKeyframe == false)

        // A second later the client reports; the relay reads the loss from it.
        let later = now + .milliseconds(1100)
        let report = pair.client.tick(now: later)
        #expect(report.count == 1)
        pair.pump(now: later, first: report)
        #expect(pair.relay.stats.fractionLost > 0)
    }

    /// A load generator decrypts only until each frame's first slice: frames, keyframes and the
    /// IDR's fingerprint are the same as decrypting everything.
    @Test func decryptingOnlyUntilEachFramesFirstSliceFindsTheSameFrames() throws {
        let now = NIODeadline.now()
        let pair = try Self.connectedPair(now: now)
        pair.client.decryptsEveryPacket = false
        var frames: [WHEPReceivedFrame] = []
        pair.client.onVideoFrame = { frames.append($0) }
        var packetizer = H264Packetizer()
        let delta = RTPFrame(
            track: .video,
            payloads: packetizer.packetize(
                accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 3000)]), nalLengthSize: 4, sps: [], pps: [], isKeyframe: false),
            timestamp: 93_000, isKeyframe: false
        )
        pair.relay.send(WebRTCSessionTests.keyframe(timestamp: 90_000, size: 5000), now: now, output: pair.output)
        pair.relay.send(delta, now: now, output: pair.output)
        pair.pump(now: now)
        #expect(frames.map(\.isKeyframe) == [true, false])
        #expect(
            frames.first?.idrFingerprint == WHEPClientSession.nalFingerprint(H264TestStreams.nal(type: 5, size: 5000).readableBytesView.dropFirst()))
        #expect(pair.client.stats.keyframes == 1)
        #expect(pair.client.stats.videoPackets == WebRTCSessionTests.keyframe(timestamp: 0, size: 5000).payloads.count + delta.payloads.count)
    }

    @Test func consentChecksKeepTheRelaySessionAliveAndStallsAreCounted() throws {
        let now = NIODeadline.now()
        let pair = try Self.connectedPair(now: now)
        pair.relay.send(WebRTCSessionTests.keyframe(timestamp: 90_000), now: now, output: pair.output)
        pair.pump(now: now)
        // Every 5 s a check goes out and is answered, for 40 s (past the relay's 30 s consent).
        var time = now
        for _ in 0..<8 {
            time = time + .seconds(5)
            let out = pair.client.tick(now: time)
            #expect(out.contains { PacketDemultiplexer.classify($0) == .stun })
            pair.pump(now: time, first: out)
            _ = pair.relay.tick(now: time, wallClock: testWallClock, output: pair.output)
        }
        #expect(pair.relay.state == .connected)
        #expect(pair.client.stats.checksAnswered >= 8)
        #expect(pair.client.stats.stalls == 1, "no frame for 40 s is one stall")
    }

    @Test func anAnswerWithoutWhatTheClientNeedsIsRefusedWithTheReason() throws {
        let client = try WHEPClientSession(identity: WHEPClientIdentity(), now: .now())
        #expect(throws: WHEPClientError.self) { _ = try client.accept(answer: "not sdp") }
        let noCandidate =
            "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
            + "a=fingerprint:sha-256 \(DTLSTestContexts.server.fingerprint.sdpValue)\r\nm=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtpmap:102 H264/90000\r\n"
        #expect(throws: WHEPClientError.unusableAnswer("no UDP candidate (a=candidate:... udp ...)")) { _ = try client.accept(answer: noCandidate) }
        #expect(client.state == .offering)
    }
}
