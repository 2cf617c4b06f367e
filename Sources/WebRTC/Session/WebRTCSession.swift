import Foundation
import Logging
import NIOCore
import RelayCore

/// One WebRTC viewer: ICE-lite, DTLS, SRTP and its RTP senders, driven by the media server's
/// event loop with datagrams and time (sans I/O: it writes to a ``DatagramOutput`` and returns
/// ``WebRTCSessionEvent``s; it owns no socket, thread or timer, and reads no clock: every entry
/// point is given the monotonic `now` its timers count from and, where NTP timestamps or the
/// live view need it, the wall clock `wallClock`, both read once by the caller).
///
/// Confined to the media server's event loop.
final class WebRTCSession {
    enum State: Equatable {
        /// Waiting for the first binding request with our credentials.
        case checking
        /// ICE nominated the address; the DTLS handshake is under way.
        case handshaking
        /// SRTP keys are set: media flows.
        case connected
        case closed
    }

    struct Configuration {
        /// No binding request for this long ends the session (RFC 7675 consent freshness).
        var consentTimeout: TimeAmount = .seconds(30)
        /// ICE and DTLS must be done within this after the answer.
        var connectTimeout: TimeAmount = .seconds(15)
        var senderReportInterval: TimeAmount = .seconds(1)
    }

    let id: String
    let source: StreamKey
    let grant: AccessGrant
    let local: ICECredentials
    let negotiated: NegotiatedSession
    let configuration: Configuration
    let createdAt: NIODeadline
    /// The wall clock when the session was made (the live view's `since`).
    let since: Date
    let logger: Logger

    private(set) var state: State = .checking
    /// Where packets go, the addresses with consent, and when the path may move (``MediaPath``).
    var path: MediaPath
    /// Where the session's packets go: the address that completed ICE and DTLS (or is doing so).
    var remoteAddress: SocketAddress? { path.destination }
    /// The ICE-lite tie-breaker our consent checks carry (ICE-CONTROLLED).
    let tieBreaker = UInt64.random(in: 1...UInt64.max)
    /// When the viewer's first valid binding request came (for the connect log line).
    var firstSTUN: NIODeadline?
    let dtls: DTLSTransport
    var srtp: SRTPSession?
    var video: RTPSender?
    var audio: RTPSender?
    /// Video is held until a keyframe: at the start, after a picture loss, after a publisher change.
    var waitingForKeyframe = true
    /// Which feed packet each recent video sequence number carried (NACKs are answered from the feed).
    var sentVideo = SentVideoRuns()
    var lastReport: NIODeadline
    var stats = WebRTCViewerStats()
    var playback: PlaybackChoice
    /// RTCP CNAME of both tracks (one media source, so the viewer syncs them).
    let cname: String
    /// A WHIP publisher's media into the relay; nil for a viewer.
    var ingest: WHIPIngest?
    /// Who offered it (the key's school, the HTTP remote IP), for the caps on unconnected
    /// sessions; nil for an offer the caps do not apply to (the patrol wall).
    var origin: (key: String?, ip: String)?

    init(
        id: String, source: StreamKey, grant: AccessGrant, local: ICECredentials, negotiated: NegotiatedSession,
        dtls: DTLSTransport, playback: PlaybackChoice, configuration: Configuration, now: NIODeadline, wallClock: Date,
        logger: Logger
    ) {
        self.playback = playback
        self.id = id
        self.source = source
        self.grant = grant
        self.local = local
        self.negotiated = negotiated
        self.dtls = dtls
        self.configuration = configuration
        self.createdAt = now
        self.since = wallClock
        self.path = MediaPath(consentTimeout: configuration.consentTimeout)
        self.lastReport = now
        var logger = logger
        logger[metadataKey: "session"] = "\(WebRTCSessionID.digest(id))"
        logger[metadataKey: "stream"] = "\(source)"
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        if negotiated.role == .send, let codec = negotiated.video?.codec {
            video = RTPSender(
                ssrc: UInt32.random(in: 1...UInt32.max, using: &generator), payloadType: codec.payloadType, clockRate: 90_000, using: &generator)
        }
        if negotiated.role == .send, let codec = negotiated.audio?.codec {
            audio = RTPSender(
                ssrc: UInt32.random(in: 1...UInt32.max, using: &generator), payloadType: codec.payloadType, clockRate: 48_000, using: &generator)
        }
        cname = "relay-\(id.prefix(8))"
    }

    /// Handles one datagram from `address` (already demultiplexed to this session) that arrived at
    /// `now` (monotonic) and `wallClock` (for the round trip RTCP reports measure).
    func receive(
        _ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline, wallClock: Date, output: any DatagramOutput
    ) -> [WebRTCSessionEvent] {
        guard state != .closed else { return [] }
        switch PacketDemultiplexer.classify(datagram) {
        case .stun: return receiveSTUN(datagram, from: address, now: now, output: output)
        case .dtls:
            // Before DTLS is done, the first DTLS datagram from a consenting address pins the
            // handshake's path; afterwards DTLS from elsewhere is ignored (it never moves media).
            guard path.acceptsDTLS(from: address, now: now) else { return [] }
            return receiveDTLS(datagram, now: now, output: output)
        case .rtcp:
            guard state == .connected, address == remoteAddress || path.hasConsent(address, now: now) else { return [] }
            return receiveRTCP(datagram, from: address, now: now, wallClock: wallClock, output: output)
        case .rtp:
            guard ingest != nil, state == .connected, address == remoteAddress || path.hasConsent(address, now: now) else { return [] }
            return receiveIngestRTP(datagram, from: address, now: now, output: output)
        case .unknown:
            return []  // noise
        }
    }

    /// Timers: consent freshness, DTLS retransmission, sender reports (their NTP time is `wallClock`).
    func tick(now: NIODeadline, wallClock: Date, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard state != .closed else { return [] }
        if state != .connected, now - createdAt > configuration.connectTimeout {
            return close(reason: "ICE and DTLS did not complete within \(configuration.connectTimeout.nanoseconds / 1_000_000_000) s", output: output)
        }
        if let consent = path.destinationConsent, now - consent > configuration.consentTimeout {
            return close(
                reason: "consent lost: no STUN from the viewer for \(configuration.consentTimeout.nanoseconds / 1_000_000_000) s", output: output)
        }
        if state == .handshaking { return tickDTLS(now: now, output: output) }
        if state == .connected, ingest != nil { return tickIngest(now: now, output: output) }
        if state == .connected, now - lastReport >= configuration.senderReportInterval {
            lastReport = now
            sendReports(now: now, wallClock: wallClock, output: output)
        }
        return []
    }

    /// When ``tick(now:wallClock:output:)`` next has something to do, on the monotonic clock given
    /// (`now` is the caller's latest reading); nil once closed. The connect and consent timeouts,
    /// the DTLS retransmission deadline, the next sender report; a WHIP ingest's timers (reorder
    /// release, NACK, PLI) are polled, so a connected publisher wants every tick (`now`).
    func nextWake(after now: NIODeadline) -> NIODeadline? {
        guard state != .closed else { return nil }
        let justPast = TimeAmount.nanoseconds(1)  // tick acts once the timeout is exceeded
        var wakes: [NIODeadline] = []
        if state != .connected { wakes.append(createdAt + configuration.connectTimeout + justPast) }
        if let consent = path.destinationConsent { wakes.append(consent + configuration.consentTimeout + justPast) }
        if state == .handshaking, let retransmission = dtls.retransmissionDeadline { wakes.append(retransmission) }
        if state == .connected { wakes.append(ingest == nil ? lastReport + configuration.senderReportInterval : now) }
        return wakes.min()
    }

    /// Ends the session: a DTLS close_notify to the viewer where connected.
    func close(reason: String, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard state != .closed else { return [] }
        if let remoteAddress, state != .checking {
            for datagram in dtls.close() { output.send(datagram, to: remoteAddress) }
        }
        state = .closed
        ingest?.end()
        if let ingest {
            logger.info(
                "whip publish ended",
                metadata: [
                    "reason": "\(reason)", "bytesIn": "\(stats.bytesReceived)", "badRTP": "\(stats.badRTP)", "ingest": "\(ingest.stats)",
                ])
        } else {
            logger.info("webrtc session ended", metadata: ["reason": "\(reason)"])
        }
        return [.closed(reason: reason)]
    }

    func setState(_ new: State) { state = new }
}

@available(*, unavailable)
extension WebRTCSession: Sendable {}
