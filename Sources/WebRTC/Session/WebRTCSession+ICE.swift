import NIOCore

extension WebRTCSession {
    /// ICE-lite: answers a binding request carrying our ufrag and password and gives its address
    /// consent (``MediaPath``); takes the answer to one of our consent checks. Anything else
    /// (another ufrag, a failed integrity check, a response we did not ask for) gets no answer:
    /// an error response to a spoofed source would make the relay a reflector.
    func receiveSTUN(_ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard let message = try? STUNMessage(decoding: datagram) else { return [] }
        if message.isBindingSuccess { return receiveCheckAnswer(message, from: address, now: now) }
        guard message.isBindingRequest, let username = message.username,
            ICEUsername(stunUsername: username)?.localUfrag == local.ufrag, message.validatesIntegrity(password: local.password)
        else { return [] }
        output.send(
            STUNMessage.bindingSuccessResponse(transactionID: message.transactionID, mappedAddress: address, password: local.password),
            to: address
        )
        if firstSTUN == nil { firstSTUN = now }
        let forgotten = path.consented(address, nominated: message.useCandidate, now: now)
        if state == .checking { setState(.handshaking) }
        return forgotten.map { [.forgotAddress($0)] } ?? []
    }

    /// An authenticated packet (SRTCP, or a publisher's SRTP, that unprotected) came from
    /// `address`: when that is not where the session sends, a consent check goes there, and the
    /// path moves once it is answered from there.
    func authenticatedPacket(from address: SocketAddress, now: NIODeadline, output: any DatagramOutput) {
        guard let id = path.authenticated(from: address, now: now) else { return }
        let check = STUNMessage.consentCheck(
            transactionID: id, username: "\(negotiated.remoteICEUfrag):\(local.ufrag)", password: negotiated.remoteICEPwd,
            priority: 1_845_501_695, iceControlled: tieBreaker
        )
        output.send(check, to: address)
    }

    private func receiveCheckAnswer(_ message: STUNMessage, from address: SocketAddress, now: NIODeadline) -> [WebRTCSessionEvent] {
        guard message.validatesIntegrity(password: negotiated.remoteICEPwd) else { return [] }
        let old = remoteAddress
        guard path.checkAnswered(message.transactionID, from: address, now: now) else { return [] }
        logger.info(
            ingest == nil ? "webrtc viewer moved" : "whip publisher moved",
            metadata: [
                "from": "\(old.map { "\($0)" } ?? "-")", "to": "\(address)",
            ])
        return []
    }
}
