import NIOCore

extension WebRTCSession {
    /// ICE-lite: answers a binding request carrying our ufrag and password; the first one
    /// nominates its address (a later nominated one moves the session: a viewer's network changed).
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
        if remoteAddress == nil || (message.useCandidate && address != remoteAddress) {
            if let old = remoteAddress { logger.info("webrtc viewer moved", metadata: ["from": "\(old)", "to": "\(address)"]) }
            setRemoteAddress(address)
        }
        if state == .checking { setState(.handshaking) }
        return []
    }
}
