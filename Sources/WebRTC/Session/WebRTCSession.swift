import Foundation
import Logging
import NIOCore
import RelayCore

/// One WebRTC viewer: ICE-lite, DTLS, SRTP and its RTP senders, driven by the media server's
/// event loop with datagrams and time (sans I/O: it writes to a ``DatagramOutput`` and returns
/// ``WebRTCSessionEvent``s; it owns no socket, thread or timer).
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
    let since = Date()
    let logger: Logger

    private(set) var state: State = .checking
    private(set) var remoteAddress: SocketAddress?
    /// Every address that passed a binding request with our credentials: DTLS and RTCP are taken
    /// from these only, and the one the viewer last sent them from is where media goes.
    private(set) var validatedAddresses: Set<SocketAddress> = []
    var lastConsent: NIODeadline
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

    init(
        id: String, source: StreamKey, grant: AccessGrant, local: ICECredentials, negotiated: NegotiatedSession,
        dtls: DTLSTransport, playback: PlaybackChoice, configuration: Configuration, now: NIODeadline, logger: Logger
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
        self.lastConsent = now
        self.lastReport = now
        var logger = logger
        logger[metadataKey: "session"] = "\(id)"
        logger[metadataKey: "stream"] = "\(source)"
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        if negotiated.role == .send, let codec = negotiated.video?.codec {
            video = RTPSender(ssrc: UInt32.random(in: 1...UInt32.max, using: &generator), payloadType: codec.payloadType, clockRate: 90_000, using: &generator)
        }
        if negotiated.role == .send, let codec = negotiated.audio?.codec {
            audio = RTPSender(ssrc: UInt32.random(in: 1...UInt32.max, using: &generator), payloadType: codec.payloadType, clockRate: 48_000, using: &generator)
        }
        cname = "relay-\(id.prefix(8))"
    }

    /// Handles one datagram from `address` (already demultiplexed to this session).
    func receive(_ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard state != .closed else { return [] }
        switch PacketDemultiplexer.classify(datagram) {
        case .stun: return receiveSTUN(datagram, from: address, now: now, output: output)
        case .dtls:
            guard validatedAddresses.contains(address) else { return [] }
            latch(address)
            return receiveDTLS(datagram, now: now, output: output)
        case .rtcp:
            guard validatedAddresses.contains(address), state == .connected else { return [] }
            latch(address)
            return receiveRTCP(datagram, now: now, output: output)
        case .rtp:
            guard ingest != nil, validatedAddresses.contains(address), state == .connected else { return [] }
            return receiveIngestRTP(datagram, now: now, output: output)
        case .unknown:
            return []  // noise
        }
    }

    /// Timers: consent freshness, DTLS retransmission, sender reports.
    func tick(now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard state != .closed else { return [] }
        if state != .connected, now - createdAt > configuration.connectTimeout {
            return close(reason: "ICE and DTLS did not complete within \(configuration.connectTimeout.nanoseconds / 1_000_000_000) s", output: output)
        }
        if now - lastConsent > configuration.consentTimeout {
            return close(reason: "consent lost: no STUN from the viewer for \(configuration.consentTimeout.nanoseconds / 1_000_000_000) s", output: output)
        }
        if state == .handshaking { return tickDTLS(now: now, output: output) }
        if state == .connected, ingest != nil { return tickIngest(now: now, output: output) }
        if state == .connected, now - lastReport >= configuration.senderReportInterval {
            lastReport = now
            sendReports(now: now, output: output)
        }
        return []
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
            logger.info("whip publish ended", metadata: [
                "reason": "\(reason)", "bytesIn": "\(stats.bytesReceived)", "badRTP": "\(stats.badRTP)", "ingest": "\(ingest.stats)",
            ])
        } else {
            logger.info("webrtc session ended", metadata: ["reason": "\(reason)"])
        }
        return [.closed(reason: reason)]
    }

    func setState(_ new: State) { state = new }
    func setRemoteAddress(_ address: SocketAddress) { remoteAddress = address }
    func validate(_ address: SocketAddress) { validatedAddresses.insert(address) }

    /// The viewer's candidate pair is the one it sends DTLS and RTCP on: follow it there.
    private func latch(_ address: SocketAddress) {
        guard address != remoteAddress else { return }
        if let old = remoteAddress { logger.info("webrtc viewer moved", metadata: ["from": "\(old)", "to": "\(address)"]) }
        remoteAddress = address
    }
}

@available(*, unavailable)
extension WebRTCSession: Sendable {}
