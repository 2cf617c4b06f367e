public import NIOCore

/// A receive-only WebRTC viewer without a browser, as `relay-loadtest` runs hundreds of: it
/// writes a WHEP offer, reads the answer, runs ICE as the controlling agent against an ICE-lite
/// server (binding requests with USE-CANDIDATE, then consent checks), DTLS as the client, SRTP
/// unprotect, RTCP receiver reports once a second, and counts what arrives: packets, loss by
/// sequence gaps, H.264 frames by marker bit, keyframes, stalls (> 1 s between frames).
///
/// Sans-I/O, like the server's `WebRTCSession`: datagrams and time in, datagrams out; the caller
/// owns the socket and the clock and confines one session to one thread.
public final class WHEPClientSession {
    public enum State: Sendable, Equatable {
        /// The offer is written; waiting for the answer.
        case offering
        /// Connectivity checks are being sent.
        case checking
        case handshaking
        case connected
        case failed(WHEPClientError)
        case closed
    }

    /// Connectivity checks are repeated this often until one is answered, for at most
    /// `checkTimeout`; consent checks then go out every `consentInterval`.
    static let checkInterval: TimeAmount = .milliseconds(200)
    static let checkTimeout: TimeAmount = .seconds(10)
    static let consentInterval: TimeAmount = .seconds(5)
    static let reportInterval: TimeAmount = .seconds(1)
    static let stallThreshold: TimeAmount = .seconds(1)

    /// The SDP offer to POST.
    public let offer: String
    public internal(set) var state: State = .offering
    /// What arrived so far (loss derived from the tracks' sequence accounting).
    public var stats: WHEPClientStats {
        var stats = counters
        stats.lostPackets = video.lost + audio.lost
        return stats
    }
    var counters = WHEPClientStats()
    /// Decrypt (and authenticate) every SRTP packet, as a browser does; false decrypts only the
    /// first packet of each video frame (enough to find keyframes), the rest is counted from
    /// the clear RTP header: a load generator's CPU then goes to the server under test.
    public var decryptsEveryPacket = true
    /// Called with every complete video frame (its last packet, the marker bit, arrived).
    public var onVideoFrame: ((WHEPReceivedFrame) -> Void)?

    let local: ICECredentials
    let dtls: DTLSTransport
    var remote: WHEPAnswer?
    var srtp: SRTPSession?
    let startedAt: NIODeadline
    var checkStartedAt: NIODeadline?
    var nextCheckAt: NIODeadline?
    var pendingCheck: STUNTransactionID?
    var nextReportAt: NIODeadline?
    let reporterSSRC = UInt32.random(in: 1...UInt32.max)
    var video = ReceivedTrack()
    var audio = ReceivedTrack()
    var frame = FrameAssembly()
    /// The current gap between frames was counted as a stall (once per gap).
    var stallCounted = false
    /// The middle 32 bits of the last sender report's NTP time and when it arrived, per SSRC.
    var lastSenderReports: [UInt32: (middle: UInt32, at: NIODeadline)] = [:]

    public init(identity: WHEPClientIdentity, now: NIODeadline) throws(DTLSError) {
        local = ICECredentials.random()
        dtls = try DTLSTransport(context: identity.context, role: .client)
        offer = WHEPClientOffer.render(credentials: local, fingerprint: identity.fingerprint, sessionID: UInt64.random(in: 1...UInt64(Int64.max)))
        startedAt = now
    }

    /// Reads the server's answer; returns the UDP candidate to send to.
    public func accept(answer text: String) throws(WHEPClientError) -> (host: String, port: Int) {
        let answer = try WHEPAnswer(text)
        remote = answer
        state = .checking
        return (answer.candidateHost, answer.candidatePort)
    }

    /// The first connectivity check (call once the socket is ready, after ``accept(answer:)``).
    public func start(now: NIODeadline) -> [ByteBuffer] {
        guard state == .checking else { return [] }
        checkStartedAt = now
        return [connectivityCheck(now: now)]
    }

    /// One datagram from the server; returns what to send back.
    public func receive(_ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline) -> [ByteBuffer] {
        switch PacketDemultiplexer.classify(datagram) {
        case .stun: return receiveSTUN(datagram, from: address, now: now)
        case .dtls: return receiveDTLS(datagram, now: now)
        case .rtp:
            receiveRTP(datagram, now: now)
            return []
        case .rtcp:
            receiveRTCP(datagram, now: now)
            return []
        case .unknown: return []
        }
    }

    /// Timers: check retransmission and timeout, consent, DTLS retransmission, receiver reports.
    public func tick(now: NIODeadline) -> [ByteBuffer] {
        var out: [ByteBuffer] = []
        switch state {
        case .checking:
            if let checkStartedAt, now - checkStartedAt > Self.checkTimeout {
                state = .failed(.iceTimeout)
                return []
            }
            if let nextCheckAt, now >= nextCheckAt { out.append(connectivityCheck(now: now)) }
        case .handshaking:
            let result = dtls.handleTimeout(now: now)
            out += result.datagrams
            for case .failed(let error) in result.events { state = .failed(.dtls("\(error)")) }
        case .connected:
            if let nextCheckAt, now >= nextCheckAt { out.append(connectivityCheck(now: now)) }
            if let nextReportAt, now >= nextReportAt, let report = receiverReport(now: now) {
                out.append(report)
                self.nextReportAt = now + Self.reportInterval
            }
            if let last = counters.lastFrameAt, now - last > Self.stallThreshold, !stallCounted {
                counters.stalls += 1
                stallCounted = true
            }
        case .offering, .failed, .closed:
            break
        }
        return out
    }

    /// Ends the session: DTLS close_notify to send (the caller also DELETEs the WHEP resource).
    public func close() -> [ByteBuffer] {
        guard state == .connected || state == .handshaking else {
            state = .closed
            return []
        }
        state = .closed
        return dtls.close()
    }

    func connectivityCheck(now: NIODeadline) -> ByteBuffer {
        let transaction = STUNTransactionID.random()
        pendingCheck = transaction
        nextCheckAt = now + (state == .connected ? Self.consentInterval : Self.checkInterval)
        counters.checksSent += 1
        return STUNMessage.bindingRequest(
            transactionID: transaction, username: "\(remote?.ufrag ?? ""):\(local.ufrag)", password: remote?.password ?? "",
            priority: 1_845_501_695, useCandidate: true, iceControlling: UInt64.random(in: 0...UInt64.max)
        )
    }

    private func receiveSTUN(_ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline) -> [ByteBuffer] {
        guard let message = try? STUNMessage(decoding: datagram), let remote else { return [] }
        if message.isBindingRequest {
            // A full-ICE server checks us too: answer with our password.
            guard message.validatesIntegrity(password: local.password) else { return [] }
            return [
                STUNMessage.bindingSuccessResponse(
                    transactionID: message.transactionID, mappedAddress: address, password: local.password
                )
            ]
        }
        guard message.isBindingSuccess, message.transactionID == pendingCheck, message.validatesIntegrity(password: remote.password) else {
            return []
        }
        pendingCheck = nil
        counters.checksAnswered += 1
        guard state == .checking else { return [] }
        if counters.iceCompletedAt == nil { counters.iceCompletedAt = now - startedAt }
        state = .handshaking
        nextCheckAt = now + Self.consentInterval
        do {
            return try dtls.start(now: now)
        } catch {
            state = .failed(.dtls("\(error)"))
            return []
        }
    }

    private func receiveDTLS(_ datagram: ByteBuffer, now: NIODeadline) -> [ByteBuffer] {
        guard state == .handshaking || state == .connected else { return [] }
        let result = dtls.handle(datagram: datagram, now: now)
        for event in result.events {
            switch event {
            case .handshakeCompleted(let keys):
                guard state == .handshaking, let remote else { continue }
                guard let actual = dtls.peerCertificateFingerprint(algorithm: remote.fingerprint.algorithm), actual == remote.fingerprint.bytes else {
                    state = .failed(.dtls("the server's certificate does not match the answer's fingerprint"))
                    return result.datagrams
                }
                do {
                    srtp = try SRTPSession(keyingMaterial: keys, role: .client)
                } catch {
                    state = .failed(.dtls("SRTP could not be keyed: \(error)"))
                    return result.datagrams
                }
                state = .connected
                counters.connectedAt = now - startedAt
                nextReportAt = now + Self.reportInterval
            case .closeNotifyReceived:
                state = .failed(.closedByServer)
            case .failed(let error):
                state = .failed(.dtls("\(error)"))
            case .applicationData:
                continue
            }
        }
        return result.datagrams
    }
}
