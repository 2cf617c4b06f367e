import NIOCore

extension WebRTCSession {
    /// Feeds a DTLS datagram; on handshake completion checks the viewer's certificate against the
    /// offer's fingerprint and keys SRTP.
    func receiveDTLS(_ datagram: ByteBuffer, now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard let remoteAddress else { return [] }
        let result = dtls.handle(datagram: datagram, now: now)
        for outgoing in result.datagrams { output.send(outgoing, to: remoteAddress) }
        for event in result.events {
            switch event {
            case .handshakeCompleted(let keys):
                guard state == .handshaking else { continue }
                return completeHandshake(keys: keys, now: now, output: output)
            case .closeNotifyReceived:
                return close(reason: "the viewer closed DTLS (close_notify)", output: output)
            case .failed(let error):
                return close(reason: "DTLS failed: \(error)", output: output)
            case .applicationData:
                continue  // no data channel is negotiated
            }
        }
        return []
    }

    func tickDTLS(now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard let remoteAddress else { return [] }
        let result = dtls.handleTimeout(now: now)
        for outgoing in result.datagrams { output.send(outgoing, to: remoteAddress) }
        for case .failed(let error) in result.events { return close(reason: "DTLS failed: \(error)", output: output) }
        return []
    }

    private func completeHandshake(keys: SRTPKeyingMaterial, now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        let expected = negotiated.remoteFingerprint
        guard let actual = dtls.peerCertificateFingerprint(algorithm: expected.algorithm), actual == expected.bytes else {
            return close(reason: "the viewer's DTLS certificate does not match the offer's fingerprint", output: output)
        }
        do {
            srtp = try SRTPSession(keyingMaterial: keys, role: .server)
        } catch {
            return close(reason: "SRTP could not be keyed: \(error)", output: output)
        }
        setState(.connected)
        path.handshakeCompleted()
        logger.info(
            ingest == nil ? "webrtc viewer connected" : "whip publisher connected",
            metadata: [
                "address": "\(remoteAddress.map { "\($0)" } ?? "?")", "srtp": "\(keys.profile)",
                "iceMs": "\(firstSTUN.map { ($0 - createdAt).nanoseconds / 1_000_000 } ?? -1)",
                "connectMs": "\((now - createdAt).nanoseconds / 1_000_000)",
            ])
        return [.connected]
    }
}
