import NIOCore

/// Where a session's packets go, and when that may change (RFC 7675 consent, kept per address).
///
/// A valid binding request from an address (our ufrag, our password) gives that address consent
/// for `consentTimeout`; it says nothing about whether the address wants media, since anyone who
/// has read the answer's `ice-pwd` can send one from any (spoofed) source. So:
/// - before DTLS, the first consenting address (or a nominated one) is the path;
/// - the first DTLS datagram from a consenting address pins the path for the handshake: DTLS
///   from any other address is ignored, and media goes where the handshake completed;
/// - once connected, the path moves to another address only after an authenticated packet came
///   from it (SRTCP, or SRTP for a publisher, that unprotects) while it has consent, and then a
///   consent check we send there (a binding request with the viewer's credentials and a fresh
///   transaction id) is answered from there with the viewer's password. A spoofed source never
///   sees our check, so it cannot answer it: the viewer itself, holding every key, cannot move
///   its media onto a victim either.
/// At most ``maxAddresses`` addresses are remembered; the least recently consenting one (never
/// the path) is forgotten to make room.
struct MediaPath {
    struct Address {
        var consentAt: NIODeadline
        /// Our outstanding consent check there, and when it was sent.
        var check: (id: STUNTransactionID, sentAt: NIODeadline)?
    }

    enum Phase: Equatable {
        /// No DTLS yet: nomination may still choose the path.
        case ice
        /// The DTLS handshake runs with the path's address, and with no other.
        case handshake
        /// Connected: the path moves only after an authenticated packet and an answered check.
        case connected
    }

    static let maxAddresses = 8
    /// A consent check not answered within this is sent again (on the next authenticated packet).
    static let checkRetry: TimeAmount = .milliseconds(500)

    let consentTimeout: TimeAmount
    private(set) var destination: SocketAddress?
    private(set) var phase: Phase = .ice
    private(set) var addresses: [SocketAddress: Address] = [:]

    init(consentTimeout: TimeAmount) {
        self.consentTimeout = consentTimeout
    }

    var knownAddresses: Dictionary<SocketAddress, Address>.Keys { addresses.keys }

    func hasConsent(_ address: SocketAddress, now: NIODeadline) -> Bool {
        guard let known = addresses[address] else { return false }
        return now - known.consentAt <= consentTimeout
    }

    /// When the path's own consent was last refreshed (nil before there is a path).
    var destinationConsent: NIODeadline? { destination.flatMap { addresses[$0]?.consentAt } }

    /// A valid binding request came from `address`. Returns an address forgotten to make room.
    mutating func consented(_ address: SocketAddress, nominated: Bool, now: NIODeadline) -> SocketAddress? {
        var forgotten: SocketAddress?
        if addresses[address] == nil, addresses.count >= Self.maxAddresses {
            let oldest = addresses.filter { $0.key != destination }.min { $0.value.consentAt < $1.value.consentAt }?.key
            if let oldest {
                addresses[oldest] = nil
                forgotten = oldest
            }
        }
        addresses[address, default: Address(consentAt: now)].consentAt = now
        if phase == .ice, destination == nil || nominated { destination = address }
        return forgotten
    }

    /// Whether a DTLS datagram from `address` is taken; the first one pins the handshake's path.
    mutating func acceptsDTLS(from address: SocketAddress, now: NIODeadline) -> Bool {
        switch phase {
        case .ice:
            guard hasConsent(address, now: now) else { return false }
            destination = address
            phase = .handshake
            return true
        case .handshake, .connected:
            return address == destination
        }
    }

    mutating func handshakeCompleted() { phase = .connected }

    /// An authenticated packet came from `address`: a consent check to send there (id), when it
    /// is not the path, has consent, and has no check in flight.
    mutating func authenticated(from address: SocketAddress, now: NIODeadline) -> STUNTransactionID? {
        guard phase == .connected, address != destination, hasConsent(address, now: now) else { return nil }
        if let check = addresses[address]?.check, now - check.sentAt < Self.checkRetry { return nil }
        let id = STUNTransactionID.random()
        addresses[address]?.check = (id, now)
        return id
    }

    /// A binding success response (its integrity already checked) came from `address`: true when
    /// it answers our check there, and the path has moved to `address`.
    mutating func checkAnswered(_ id: STUNTransactionID, from address: SocketAddress, now: NIODeadline) -> Bool {
        guard phase == .connected, let check = addresses[address]?.check, check.id == id else { return false }
        addresses[address]?.check = nil
        // An answer is proof of consent in itself (RFC 7675 section 5.1).
        addresses[address]?.consentAt = now
        destination = address
        return true
    }
}
