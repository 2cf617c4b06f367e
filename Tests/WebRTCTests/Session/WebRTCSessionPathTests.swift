import NIOCore
import RelayCore
import Testing

@testable import WebRTC

/// Where a session's media goes (``MediaPath``), fed datagrams from a connected viewer's address
/// and from a second one: spoofed STUN and RTCP-shaped datagrams never move media; an
/// authenticated SRTCP packet plus a consent check answered from the new address does.
@Suite("WebRTC session path")
struct WebRTCSessionPathTests {
    typealias Collector = DatagramCollector
    static let victim = try! SocketAddress(ipAddress: "127.0.0.2", port: 9)

    static func bindingRequest(_ session: WebRTCSession, password: String? = nil, ufrag: String? = nil, nominate: Bool = false) -> ByteBuffer {
        STUNMessage.bindingRequest(
            transactionID: .random(), username: "\(ufrag ?? session.local.ufrag):browser", password: password ?? session.local.password,
            priority: 1_845_501_695, useCandidate: nominate, iceControlling: 42
        )
    }

    /// A keyframe sent to the session: the addresses its packets went to.
    static func mediaDestinations(_ session: WebRTCSession, output: Collector, now: NIODeadline) -> Set<SocketAddress> {
        _ = output.take()
        session.send(WebRTCSessionTests.keyframe(timestamp: 9000), now: now, output: output)
        defer { _ = output.take() }
        return Set(output.sent.map(\.address))
    }

    /// Everything the session sent to `address` since the last take.
    static func sent(to address: SocketAddress, _ output: Collector) -> [ByteBuffer] {
        output.sent.filter { $0.address == address }.map(\.datagram)
    }

    @Test func spoofedSTUNAndRTCPShapedDatagramsFromASecondAddressNeverMoveMedia() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        let viewer = try WebRTCSessionTests.connect(session, output: output, now: now)
        _ = output.take()

        // The attacker knows the answer's ice-ufrag and ice-pwd: a valid, nominating binding
        // request from the victim's address, then RTCP- and DTLS-shaped datagrams from there.
        _ = session.receive(Self.bindingRequest(session, nominate: true), from: Self.victim, now: now, wallClock: testWallClock, output: output)
        #expect(Self.sent(to: Self.victim, output).count == 1, "the binding request's own answer, one for one")
        _ = output.take()
        let rtcpShaped = ByteBuffer(bytes: [0x81, 0xC9, 0x00, 0x07] + Array(repeating: 0xAB, count: 28))
        let dtlsShaped = ByteBuffer(bytes: [0x17, 0xFE, 0xFD] + Array(repeating: 0x01, count: 40))
        for _ in 0..<20 {
            _ = session.receive(rtcpShaped, from: Self.victim, now: now, wallClock: testWallClock, output: output)
            _ = session.receive(dtlsShaped, from: Self.victim, now: now, wallClock: testWallClock, output: output)
        }
        #expect(output.take().isEmpty, "nothing is sent for them, to anyone")
        #expect(session.remoteAddress == viewer.address)
        #expect(Self.mediaDestinations(session, output: output, now: now) == [viewer.address])

        // Even the viewer itself, holding the SRTP keys, cannot move media by spoofing: its
        // authenticated SRTCP from the victim's address only sends a consent check there, which
        // it never sees, so a guessed answer does not match.
        var pli = RTCPWriter.pli(senderSSRC: 1, mediaSSRC: session.video!.ssrc)
        try viewer.srtp!.protectRTCP(&pli)
        _ = session.receive(pli, from: Self.victim, now: now, wallClock: testWallClock, output: output)
        let check = try STUNMessage(decoding: try #require(Self.sent(to: Self.victim, output).first))
        #expect(check.isBindingRequest)
        _ = output.take()
        let guessed = STUNMessage.bindingSuccessResponse(
            transactionID: .random(), mappedAddress: Self.victim, password: session.negotiated.remoteICEPwd
        )
        _ = session.receive(guessed, from: Self.victim, now: now, wallClock: testWallClock, output: output)
        #expect(session.remoteAddress == viewer.address)
        #expect(Self.mediaDestinations(session, output: output, now: now) == [viewer.address])

        // More authenticated packets from there within the retry interval send no more checks.
        var again = RTCPWriter.pli(senderSSRC: 1, mediaSSRC: session.video!.ssrc)
        try viewer.srtp!.protectRTCP(&again)
        _ = session.receive(again, from: Self.victim, now: now + .milliseconds(100), wallClock: testWallClock, output: output)
        #expect(Self.sent(to: Self.victim, output).isEmpty)
    }

    @Test func authenticatedSRTCPAndAConsentCheckAnsweredFromTheNewAddressMoveMedia() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        let viewer = try WebRTCSessionTests.connect(session, output: output, now: now)
        let moved = try SocketAddress(ipAddress: "10.0.0.7", port: 50_001)
        _ = output.take()

        // An authenticated packet without consent from there: ignored.
        var early = RTCPWriter.pli(senderSSRC: 1, mediaSSRC: session.video!.ssrc)
        try viewer.srtp!.protectRTCP(&early)
        _ = session.receive(early, from: moved, now: now, wallClock: testWallClock, output: output)
        #expect(output.take().isEmpty)

        // The viewer's new network: a check from there, then SRTCP from there, then it answers
        // the relay's consent check (with its own ICE password, as a browser does).
        _ = session.receive(Self.bindingRequest(session, nominate: true), from: moved, now: now, wallClock: testWallClock, output: output)
        _ = output.take()
        var report = RTCPWriter.pli(senderSSRC: 1, mediaSSRC: session.video!.ssrc)
        try viewer.srtp!.protectRTCP(&report)
        _ = session.receive(report, from: moved, now: now, wallClock: testWallClock, output: output)
        let check = try STUNMessage(decoding: try #require(Self.sent(to: moved, output).first))
        #expect(check.isBindingRequest)
        #expect(check.username == "\(session.negotiated.remoteICEUfrag):\(session.local.ufrag)")
        #expect(check.validatesIntegrity(password: session.negotiated.remoteICEPwd))
        #expect(session.remoteAddress == viewer.address, "not before the check is answered")
        _ = output.take()

        // An answer from another address, or keyed with the wrong password, does not count.
        let answer = STUNMessage.bindingSuccessResponse(
            transactionID: check.transactionID, mappedAddress: moved, password: session.negotiated.remoteICEPwd
        )
        _ = session.receive(answer, from: Self.victim, now: now, wallClock: testWallClock, output: output)
        let forged = STUNMessage.bindingSuccessResponse(transactionID: check.transactionID, mappedAddress: moved, password: session.local.password)
        _ = session.receive(forged, from: moved, now: now, wallClock: testWallClock, output: output)
        #expect(session.remoteAddress == viewer.address)

        _ = session.receive(answer, from: moved, now: now, wallClock: testWallClock, output: output)
        #expect(session.remoteAddress == moved)
        #expect(Self.mediaDestinations(session, output: output, now: now) == [moved])
    }

    @Test func unknownUfragAndBadIntegrityGetNoAnswer() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        _ = session.receive(Self.bindingRequest(session, ufrag: "someoneElse"), from: Self.victim, now: now, wallClock: testWallClock, output: output)
        _ = session.receive(
            Self.bindingRequest(session, password: "not-the-password-at-all"), from: Self.victim, now: now, wallClock: testWallClock, output: output)
        #expect(output.take().isEmpty)
        #expect(session.state == .checking)
        #expect(session.remoteAddress == nil)
    }

    @Test func theHandshakeStaysWithTheAddressItStartedFrom() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 50_000)
        _ = session.receive(Self.bindingRequest(session, nominate: true), from: address, now: now, wallClock: testWallClock, output: output)
        let client = try DTLSTransport(context: WebRTCSessionTests.browserContext, role: .client)
        for hello in try client.start(now: now) { _ = session.receive(hello, from: address, now: now, wallClock: testWallClock, output: output) }
        _ = output.take()
        // A nominating check and a DTLS datagram from a second consenting address change nothing.
        _ = session.receive(Self.bindingRequest(session, nominate: true), from: Self.victim, now: now, wallClock: testWallClock, output: output)
        let other = try DTLSTransport(context: WebRTCSessionTests.browserContext, role: .client)
        for hello in try other.start(now: now) { _ = session.receive(hello, from: Self.victim, now: now, wallClock: testWallClock, output: output) }
        #expect(session.remoteAddress == address)
        #expect(Self.sent(to: Self.victim, output).count == 1, "only the binding request's answer")
    }

    @Test func consentIsKeptPerAddress() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        _ = try WebRTCSessionTests.connect(session, output: output, now: now)
        // Checks from another address every 10 s do not keep the viewer's own path alive.
        for second in stride(from: 10, through: 30, by: 10) {
            _ = session.receive(
                Self.bindingRequest(session), from: Self.victim, now: now + .seconds(Int64(second)), wallClock: testWallClock, output: output)
        }
        let events = session.tick(now: now + .seconds(31), wallClock: testWallClock, output: output)
        #expect(events.contains { if case .closed(let reason) = $0 { reason.contains("consent") } else { false } })
    }

    @Test func aSessionRemembersABoundedNumberOfAddresses() throws {
        let now = NIODeadline.now()
        let output = Collector()
        let session = try WebRTCSessionTests.makeSession(now: now)
        var forgotten: [SocketAddress] = []
        for port in 1...(MediaPath.maxAddresses + 3) {
            let address = try SocketAddress(ipAddress: "127.0.0.3", port: port)
            for case .forgotAddress(let old) in session.receive(
                Self.bindingRequest(session), from: address, now: now + .milliseconds(Int64(port)), wallClock: testWallClock, output: output)
            {
                forgotten.append(old)
            }
        }
        #expect(session.path.knownAddresses.count == MediaPath.maxAddresses)
        #expect(forgotten.count == 3)
        #expect(session.remoteAddress?.port == 1, "the path itself is never forgotten")
        #expect(!forgotten.contains { $0.port == 1 })
    }
}
