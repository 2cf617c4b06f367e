/// What negotiating an offer decided: the peer's ICE and DTLS parameters and, per m-line in the
/// offer's order, what the relay sends or receives. `SDPAnswer.render` turns it into the answer.
public struct NegotiatedSession: Hashable, Sendable {
    var role: NegotiationRole
    var remoteICEUfrag: String
    var remoteICEPwd: String
    var remoteICEOptions: [String]
    /// The offer says `a=ice-lite` (browsers never do).
    var remoteICELite: Bool
    /// The fingerprint the peer's DTLS certificate must match (the strongest one offered).
    var remoteFingerprint: SDPFingerprint
    /// The offer's `a=setup`, or nil if it wrote none (RFC 4145 then means active).
    var remoteSetup: DTLSSetupRole?
    /// The relay's DTLS role: always passive (DTLS server).
    var localSetup: DTLSSetupRole
    /// The accepted mids in the offer's BUNDLE order; empty when the offer has no BUNDLE group
    /// (a single m-line), so the answer writes none either.
    var bundleMids: [String]
    var media: [NegotiatedMedium]
    /// The offer's `a=candidate` values from the accepted m-lines, as written (an ICE-lite agent
    /// does not need them; kept for logs).
    var remoteCandidates: [String]

    var acceptedMedia: [NegotiatedMedium] { media.filter(\.isAccepted) }
    /// The accepted video m-line, if any.
    var video: NegotiatedMedium? { media.first { $0.isAccepted && $0.kind == .video } }
    /// The accepted audio m-line, if any.
    var audio: NegotiatedMedium? { media.first { $0.isAccepted && $0.kind == .audio } }
}
