/// Negotiation for WHIP ingest (RFC 9725): the browser offers to send H.264
/// (packetization-mode=1) and opus; the relay answers recvonly, ICE-lite, DTLS passive. The
/// result keeps the publisher's SSRCs and msid (`NegotiatedMedium.remoteSSRCs`, …).
public enum ReceiveNegotiation {
    /// Decides the answer to a WHIP offer; throws as `SendNegotiation` does, with a recvonly
    /// m-line the refused direction.
    public static func negotiate(
        offer: SessionDescription, preferredH264ProfileIDC: UInt8? = nil
    ) throws(SDPError) -> NegotiatedSession {
        try OfferNegotiator(role: .receive, preferredH264ProfileIDC: preferredH264ProfileIDC).negotiate(offer)
    }
}
