/// The DTLS certificate and context a process's WHEP clients share (as a browser shares one
/// certificate across its peer connections): generating an ECDSA key per viewer would cost a
/// load generator more than the viewer itself.
public final class WHEPClientIdentity: Sendable {
    let context: DTLSContext

    public init() throws(DTLSError) {
        context = try DTLSContext()
    }

    /// The `a=fingerprint` value the offer carries.
    var fingerprint: DTLSFingerprint { context.fingerprint }
}
