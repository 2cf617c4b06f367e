import NIOCore

extension WebRTCSession {
    /// ICE-lite: answers a binding request carrying our ufrag and password and remembers its
    /// address as validated; the first one (or, before DTLS is done, a nominated one) is where
    /// the session sends until the viewer's DTLS or RTCP arrives from another validated address.
    func receiveSTUN(_ datagram: ByteBuffer, from address: SocketAddress, now: NIODeadline, output: any DatagramOutput) -> [WebRTCSessionEvent] {
        guard let message = try? STUNMessage(decoding: datagram), message.isBindingRequest else { return [] }
        guard let username = message.username, ICEUsername(stunUsername: username)?.localUfrag == local.ufrag,
            message.validatesIntegrity(password: local.password)
        else {
            output.send(
                STUNMessage.bindingErrorResponse(transactionID: message.transactionID, code: 401, reason: "Unauthorized"), to: address
            )
            return []
        }
        output.send(
            STUNMessage.bindingSuccessResponse(transactionID: message.transactionID, mappedAddress: address, password: local.password),
            to: address
        )
        lastConsent = now
        if firstSTUN == nil { firstSTUN = now }
        validate(address)
        if remoteAddress == nil || (message.useCandidate && address != remoteAddress && state != .connected) {
            setRemoteAddress(address)
        }
        if state == .checking { setState(.handshaking) }
        return []
    }
}
