import Foundation
import NIOCore
import RelayCore
import RelayTestSupport
import Testing

@testable import WebRTC

/// A viewer session driven by datagrams and time alone: a browser stand-in (STUN binding
/// requests, an OpenSSL DTLS client, libsrtp) talks to it through an in-memory output.
@Suite("WebRTC session")
struct WebRTCSessionTests {
    typealias Collector = DatagramCollector

    /// The browser's side: its certificate is the one the offer names.
    struct Viewer {
        let dtls: DTLSTransport
        let address = try! SocketAddress(ipAddress: "127.0.0.1", port: 50_000)
        var srtp: SRTPSession?
    }

    static let browserContext = DTLSTestContexts.client
    static let relayContext = DTLSTestContexts.server

    /// The recorded Chromium offer, its fingerprint replaced by the test client's certificate's.
    static func offer() throws -> String {
        let url = try #require(Bundle.module.url(forResource: "chromium-whep-offer", withExtension: "sdp", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        let fingerprint = "a=fingerprint:sha-256 \(browserContext.fingerprint.sdpValue)"
        // "\r\n" is one Character in Swift: split on the whole line ending.
        return text.components(separatedBy: "\r\n").map { $0.hasPrefix("a=fingerprint:") ? fingerprint : $0 }.joined(separator: "\r\n")
    }

    static func makeSession(now: NIODeadline) throws -> WebRTCSession {
        let negotiated = try SendNegotiation.negotiate(offer: try SessionDescription.parse(try offer()), preferredH264ProfileIDC: 0x64)
        return WebRTCSession(
            id: "s1", source: StreamKey(app: "live", name: "math"), grant: AccessGrant(schoolId: "site-a"),
            local: ICECredentials.random(), negotiated: negotiated, dtls: try DTLSTransport(context: relayContext, role: .server),
            playback: PlaybackChoice(playing: "source", adaptive: false), configuration: .init(), now: now, wallClock: testWallClock,
            logger: .init(label: "test")
        )
    }

    /// ICE then DTLS until both sides are connected.
    static func connect(_ session: WebRTCSession, output: Collector, now: NIODeadline) throws -> Viewer {
        var viewer = Viewer(dtls: try DTLSTransport(context: browserContext, role: .client))
        let request = STUNMessage.bindingRequest(
            transactionID: .random(), username: "\(session.local.ufrag):browser", password: session.local.password,
            priority: 1_845_501_695, useCandidate: true, iceControlling: 42
        )
        #expect(session.receive(request, from: viewer.address, now: now, wallClock: testWallClock, output: output).isEmpty)
        let response = try STUNMessage(decoding: try #require(output.take().first))
        #expect(response.isBindingSuccess)
        #expect(response.validatesIntegrity(password: session.local.password))
        #expect(response.xorMappedAddress == viewer.address)
        #expect(session.state == .handshaking)

        var toRelay = try viewer.dtls.start(now: now)
        var connected = false
        var events: [WebRTCSessionEvent] = []
        for _ in 0..<10 where !connected || viewer.srtp == nil {
            for datagram in toRelay {
                let happened = session.receive(datagram, from: viewer.address, now: now, wallClock: testWallClock, output: output)
                events += happened
                if happened.contains(.connected) { connected = true }
            }
            toRelay = []
            for datagram in output.take() {
                let result = viewer.dtls.handle(datagram: datagram, now: now)
                toRelay += result.datagrams
                for case .handshakeCompleted(let keys) in result.events { viewer.srtp = try SRTPSession(keyingMaterial: keys, role: .client) }
            }
        }
        #expect(connected, "\(events)")
        #expect(session.state == .connected)
        return viewer
    }

    static func keyframe(timestamp: UInt32, size: Int = 5000) -> RTPFrame {
        var packetizer = H264Packetizer()
        let idr = H264TestStreams.nal(type: 5, size: size)
        let payloads = packetizer.packetize(
            accessUnit: H264TestStreams.avcc([idr]), nalLengthSize: 4, sps: [H264TestStreams.sps], pps: [H264TestStreams.pps], isKeyframe: true
        )
        return RTPFrame(track: .video, payloads: payloads, timestamp: timestamp, isKeyframe: true)
    }

    @Test func iceDTLSAndSRTPThenTheSharedFrameArrivesWhole() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try Self.makeSession(now: now)
        let viewer = try Self.connect(session, output: output, now: now)
        let srtp = try #require(viewer.srtp)

        let feed = StreamRetransmissions()
        let frame = feed.record(Self.keyframe(timestamp: 9000))
        session.send(frame, from: feed, now: now, output: output)
        let packets = output.take()
        #expect(packets.count == frame.payloads.count)
        // The second packet is lost on the way; the others arrive.
        var received: [UInt16: RTPPacket] = [:]
        var sequences: [UInt16] = []
        for (index, var packet) in packets.enumerated() {
            sequences.append(try RTPHeader.parse(packet).header.sequenceNumber)  // the header travels in the clear
            guard index != 1 else { continue }
            try srtp.unprotectRTP(&packet)
            let parsed = try RTPPacket.parse(packet)
            #expect(parsed.header.ssrc == session.video?.ssrc)
            #expect(parsed.header.payloadType == session.video?.payloadType)
            received[parsed.header.sequenceNumber] = parsed
        }
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $1 == $0 &+ 1 }, "consecutive sequence numbers")

        // A NACK for it gets the same packet again from the feed's ring (same sequence number and
        // timestamp, the shared payload).
        var nack = RTCPWriter.nack(senderSSRC: 1, mediaSSRC: session.video!.ssrc, lost: [sequences[1]])
        try srtp.protectRTCP(&nack)
        _ = session.receive(nack, from: viewer.address, now: now, wallClock: testWallClock, output: output)
        var resent = try #require(output.take().first)
        try srtp.unprotectRTP(&resent)
        let repaired = try RTPPacket.parse(resent)
        #expect(repaired.header.sequenceNumber == sequences[1])
        received[repaired.header.sequenceNumber] = repaired

        var depacketizer = H264Depacketizer()
        let units = sequences.compactMap { received[$0] }.flatMap { depacketizer.push($0) }
        let unit = try #require(units.first)
        #expect(!unit.isDamaged)
        #expect(unit.containsIDR)
        #expect(
            unit.nalUnits.map { Array($0.readableBytesView) } == [
                Array(H264TestStreams.sps.readableBytesView), Array(H264TestStreams.pps.readableBytesView),
                Array(H264TestStreams.nal(type: 5, size: 5000).readableBytesView),
            ])

        // A PLI makes the viewer wait for the next keyframe: a delta frame is held back.
        var pli = RTCPWriter.pli(senderSSRC: 1, mediaSSRC: session.video!.ssrc)
        try srtp.protectRTCP(&pli)
        #expect(session.receive(pli, from: viewer.address, now: now, wallClock: testWallClock, output: output) == [.pictureLost])
        var packetizer = H264Packetizer()
        let delta = RTPFrame(
            track: .video,
            payloads: packetizer.packetize(
                accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 300)]), nalLengthSize: 4, sps: [], pps: [], isKeyframe: false),
            timestamp: 12000, isKeyframe: false
        )
        session.send(delta, now: now, output: output)
        #expect(output.take().isEmpty)
        session.send(Self.keyframe(timestamp: 15000), now: now, output: output)
        #expect(!output.take().isEmpty)
    }

    @Test func aStartingViewerGetsTheCachedGOPAtOnceThenLiveTiming() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try Self.makeSession(now: now)
        let viewer = try Self.connect(session, output: output, now: now)
        var packetizer = H264Packetizer()
        let deltas = (1...3).map { index in
            RTPFrame(
                track: .video,
                payloads: packetizer.packetize(
                    accessUnit: H264TestStreams.avcc([H264TestStreams.nal(type: 1, size: 200)]), nalLengthSize: 4, sps: [], pps: [], isKeyframe: false
                ),
                timestamp: UInt32(90_000 + index * 3000), isKeyframe: false
            )
        }
        let feed = StreamRetransmissions()
        let gop = ([Self.keyframe(timestamp: 90_000)] + deltas).map { feed.record($0) }
        session.start(with: gop, from: feed, now: now, output: output)
        let live = feed.record(RTPFrame(track: .video, payloads: deltas[0].payloads, timestamp: 90_000 + 4 * 3000, isKeyframe: false))
        session.send(live, from: feed, now: now, output: output)
        var timestamps: [UInt32] = []
        var sent: [(wire: ByteBuffer, sequence: UInt16)] = []
        for var packet in output.take() {
            let wire = packet
            try viewer.srtp!.unprotectRTP(&packet)
            let parsed = try RTPPacket.parse(packet)
            sent.append((wire, parsed.header.sequenceNumber))
            if parsed.header.marker { timestamps.append(parsed.header.timestamp) }
        }
        #expect(timestamps.count == 5)
        let steps = zip(timestamps, timestamps.dropFirst()).map { $1 &- $0 }
        #expect(steps == [90, 90, 90, 3000], "cached frames 1 ms apart, then the stream's own spacing")

        // NACKs for a packet of the burst and one sent live come back byte for byte as first sent
        // (same sequence number, timestamp and payload, so the same SRTP bytes).
        for original in [sent[sent.count - 3], sent[sent.count - 1], sent[0]] {
            var nack = RTCPWriter.nack(senderSSRC: 1, mediaSSRC: session.video!.ssrc, lost: [original.sequence])
            try viewer.srtp!.protectRTCP(&nack)
            _ = session.receive(nack, from: viewer.address, now: now, wallClock: testWallClock, output: output)
            #expect(output.take() == [original.wire])
        }
    }

    @Test func unauthenticatedSTUNIsRefusedAndNoiseChangesNothing() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try Self.makeSession(now: now)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 40_000)
        let wrong = STUNMessage.bindingRequest(
            transactionID: .random(), username: "\(session.local.ufrag):x", password: "not-the-password-at-all",
            priority: 1, useCandidate: true, iceControlling: 1
        )
        _ = session.receive(wrong, from: address, now: now, wallClock: testWallClock, output: output)
        #expect(output.take().isEmpty, "no answer: an error response to a spoofed source would reflect")
        #expect(session.state == .checking)
        #expect(session.remoteAddress == nil)
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = session.receive(ByteBuffer(bytes: bytes), from: address, now: now, wallClock: testWallClock, output: output)
        }
        #expect(session.state == .checking)
    }

    @Test func consentLossAndAConnectTimeoutEndTheSession() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let idle = try Self.makeSession(now: now)
        #expect(
            idle.tick(now: now + .seconds(16), wallClock: testWallClock, output: output).contains { if case .closed = $0 { true } else { false } })
        let session = try Self.makeSession(now: now)
        _ = try Self.connect(session, output: output, now: now)
        #expect(
            session.tick(now: now + .seconds(10), wallClock: testWallClock, output: output).allSatisfy {
                if case .closed = $0 { false } else { true }
            })
        let events = session.tick(now: now + .seconds(31), wallClock: testWallClock, output: output)
        #expect(events.contains { if case .closed(let reason) = $0 { reason.contains("consent") } else { false } })
        #expect(session.state == .closed)
    }
}
