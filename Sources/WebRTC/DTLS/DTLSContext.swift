import COpenSSL

/// The process-wide DTLS configuration shared by every session: an `SSL_CTX` for DTLS 1.2 with
/// our certificate and key, ECDHE, the DTLS-SRTP profiles, and peer verification that demands a
/// certificate but accepts a self-signed one (the session then compares the peer's fingerprint
/// with the SDP's `a=fingerprint`, RFC 8827 6.5).
///
/// Sendable: the `SSL_CTX` is fully configured in `init` and never changed afterwards; OpenSSL
/// lets many threads create `SSL` objects from one `SSL_CTX`.
final class DTLSContext: @unchecked Sendable {
    /// Offered and accepted SRTP profiles, most preferred first (`SSL_CTX_set_tlsext_use_srtp`).
    static let defaultSRTPProfiles: [SRTPProfile] = [.aeadAES128GCM, .aes128CMHMACSHA1_80]

    /// DTLS 1.2 cipher suites browsers offer: ECDSA certificates (ours, Chrome's and Firefox's
    /// defaults) first, RSA ones for a client facing an RSA peer.
    static let cipherList = [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-CHACHA20-POLY1305",
        "ECDHE-ECDSA-AES128-SHA",
        "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-RSA-AES256-SHA",
    ].joined(separator: ":")

    /// ECDHE groups, most preferred first.
    static let groupList = "X25519:P-256:P-384"

    let certificate: DTLSCertificate
    /// The SRTP profiles offered (as a client) and accepted (as a server), most preferred first.
    let srtpProfiles: [SRTPProfile]
    let context: OwnedSSLContext

    /// Our certificate's SHA-256 fingerprint, for the SDP answer's `a=fingerprint`.
    var fingerprint: DTLSFingerprint { certificate.fingerprint }

    /// Builds the shared context around `certificate`. `srtpProfiles` must not be empty; a
    /// server picks the first of its profiles the client offers.
    init(certificate: DTLSCertificate, srtpProfiles: [SRTPProfile] = DTLSContext.defaultSRTPProfiles) throws(DTLSError) {
        guard !srtpProfiles.isEmpty else {
            throw .openSSL(operation: "SSL_CTX_set_tlsext_use_srtp", reason: "no SRTP profile to offer")
        }
        ERR_clear_error()
        guard let pointer = SSL_CTX_new(DTLS_method()) else { throw DTLSError.fromErrorQueue("SSL_CTX_new(DTLS_method)") }
        let context = OwnedSSLContext(taking: pointer)
        try Self.configure(context.pointer, certificate: certificate, srtpProfiles: srtpProfiles)
        self.certificate = certificate
        self.srtpProfiles = srtpProfiles
        self.context = context
    }

    /// Builds the shared context with a freshly generated certificate.
    convenience init() throws(DTLSError) {
        try self.init(certificate: DTLSCertificate())
    }

    private static func configure(_ ctx: OpaquePointer, certificate: DTLSCertificate, srtpProfiles: [SRTPProfile]) throws(DTLSError) {
        guard copenssl_ssl_ctx_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1,
            copenssl_ssl_ctx_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1
        else { throw DTLSError.fromErrorQueue("SSL_CTX_set_min/max_proto_version(DTLS 1.2)") }
        guard SSL_CTX_use_certificate(ctx, certificate.certificate.pointer) == 1 else {
            throw DTLSError.fromErrorQueue("SSL_CTX_use_certificate")
        }
        guard SSL_CTX_use_PrivateKey(ctx, certificate.key.pointer) == 1 else {
            throw DTLSError.fromErrorQueue("SSL_CTX_use_PrivateKey")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else { throw DTLSError.fromErrorQueue("SSL_CTX_check_private_key") }
        guard SSL_CTX_set_cipher_list(ctx, cipherList) == 1 else { throw DTLSError.fromErrorQueue("SSL_CTX_set_cipher_list") }
        guard copenssl_ssl_ctx_set1_groups_list(ctx, groupList) == 1 else {
            throw DTLSError.fromErrorQueue("SSL_CTX_set1_groups_list")
        }
        let profiles = srtpProfiles.map(\.openSSLName).joined(separator: ":")
        // Unlike most of OpenSSL, this one returns 0 on success.
        guard SSL_CTX_set_tlsext_use_srtp(ctx, profiles) == 0 else {
            throw DTLSError.fromErrorQueue("SSL_CTX_set_tlsext_use_srtp")
        }
        // Demand the peer's certificate, accept it whoever signed it: the fingerprint check
        // against the SDP happens after the handshake.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, _ in 1 }
        copenssl_ssl_ctx_set_read_ahead(ctx, 0)
        // Sessions are never resumed (every WebRTC peer has a new certificate): keep no cache.
        copenssl_ssl_ctx_disable_session_cache(ctx)
        _ = SSL_CTX_set_options(ctx, copenssl_op_no_query_mtu() | copenssl_op_no_ticket() | copenssl_op_no_renegotiation())
    }
}
