/// Negotiation for WHEP playback (draft-ietf-wish-whep): the browser offers to receive audio
/// and video; the relay answers sendonly, ICE-lite, DTLS passive, with H.264
/// (packetization-mode=1) for video and opus/48000/2 for audio.
public enum SendNegotiation {
    /// Decides the answer to a WHEP offer.
    ///
    /// - Parameter preferredH264ProfileIDC: the profile_idc of the stream the relay will send
    ///   (0x64 high, 0x4D main, 0x42 baseline): a payload type with that profile is chosen if
    ///   offered, otherwise the first H.264 with packetization-mode=1.
    /// - Throws: `SDPError` when the offer has no ICE credentials or fingerprint, asks the relay to
    ///   be the DTLS client, has a sendonly m-line, a video without H.264 packetization-mode=1, an
    ///   accepted m-line without rtcp-mux, several m-lines without BUNDLE, or nothing the relay
    ///   can send. Data channels and extra m-lines are rejected (port 0) instead.
    public static func negotiate(
        offer: SessionDescription, preferredH264ProfileIDC: UInt8? = nil
    ) throws(SDPError) -> NegotiatedSession {
        try OfferNegotiator(role: .send, preferredH264ProfileIDC: preferredH264ProfileIDC).negotiate(offer)
    }
}
