import COpenSSL

/// Our DTLS identity: an ECDSA P-256 key and a self-signed X.509 certificate made at start-up,
/// and the certificate's SHA-256 fingerprint for the SDP's `a=fingerprint`.
///
/// Browsers accept any self-signed certificate whose fingerprint matches the SDP, so there is no
/// CA and nothing to renew while the process runs (30 days of validity; a relay restarts sooner).
/// Sendable: the key and certificate are never changed after `init`, and OpenSSL objects are safe
/// to read (and up-reference) from several threads.
final class DTLSCertificate: @unchecked Sendable {
    /// The subject and issuer common name.
    static let defaultCommonName = "ClassroomRelay"

    let key: OwnedEVPKey
    let certificate: OwnedX509
    /// The certificate's SHA-256 fingerprint ("sha-256 AB:CD:..." via `sdpAttributeValue`).
    let fingerprint: DTLSFingerprint

    /// Generates a new key and certificate, valid from a day ago (clock skew) for `validDays` days.
    init(commonName: String = DTLSCertificate.defaultCommonName, validDays: Int = 30) throws(DTLSError) {
        ERR_clear_error()
        guard let keyPointer = copenssl_generate_ec_p256_key() else {
            throw DTLSError.fromErrorQueue("EVP_PKEY_Q_keygen(EC, P-256)")
        }
        let key = OwnedEVPKey(taking: keyPointer)
        let certificate = try Self.makeSelfSignedCertificate(key: key.pointer, commonName: commonName, validDays: validDays)
        guard let digest = certificate.digest(.sha256) else { throw DTLSError.fromErrorQueue("X509_digest") }
        self.key = key
        self.certificate = certificate
        self.fingerprint = DTLSFingerprint(algorithm: .sha256, bytes: digest)
    }

    /// The certificate's fingerprint with another hash function; nil if OpenSSL fails.
    func fingerprint(_ algorithm: DTLSFingerprint.Algorithm) -> DTLSFingerprint? {
        certificate.digest(algorithm).map { DTLSFingerprint(algorithm: algorithm, bytes: $0) }
    }

    private static func makeSelfSignedCertificate(key: OpaquePointer, commonName: String, validDays: Int) throws(DTLSError) -> OwnedX509 {
        guard let pointer = X509_new() else { throw DTLSError.fromErrorQueue("X509_new") }
        let certificate = OwnedX509(taking: pointer)
        let x509 = certificate.pointer
        guard X509_set_version(x509, 2) == 1 else { throw DTLSError.fromErrorQueue("X509_set_version") }  // v3
        guard let serialNumber = X509_get_serialNumber(x509),
            ASN1_INTEGER_set_uint64(serialNumber, try randomSerial()) == 1
        else { throw DTLSError.fromErrorQueue("ASN1_INTEGER_set_uint64(serial)") }
        let day = 24 * 60 * 60
        guard X509_gmtime_adj(X509_getm_notBefore(x509), -day) != nil,
            X509_gmtime_adj(X509_getm_notAfter(x509), validDays * day) != nil
        else { throw DTLSError.fromErrorQueue("X509_gmtime_adj") }
        guard X509_set_pubkey(x509, key) == 1 else { throw DTLSError.fromErrorQueue("X509_set_pubkey") }
        guard let name = X509_get_subject_name(x509) else { throw DTLSError.fromErrorQueue("X509_get_subject_name") }
        let nameBytes = Array(commonName.utf8)
        let added = nameBytes.withUnsafeBufferPointer { buffer in
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, buffer.baseAddress, Int32(buffer.count), -1, 0)
        }
        guard added == 1 else { throw DTLSError.fromErrorQueue("X509_NAME_add_entry_by_txt(CN)") }
        guard X509_set_issuer_name(x509, name) == 1 else { throw DTLSError.fromErrorQueue("X509_set_issuer_name") }
        guard X509_sign(x509, key, EVP_sha256()) > 0 else { throw DTLSError.fromErrorQueue("X509_sign") }
        return certificate
    }

    /// A random positive, non-zero 63-bit serial number (RFC 5280 4.1.2.2).
    private static func randomSerial() throws(DTLSError) -> UInt64 {
        var serial: UInt64 = 0
        let ok = withUnsafeMutableBytes(of: &serial) { RAND_bytes($0.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32($0.count)) }
        guard ok == 1 else { throw DTLSError.fromErrorQueue("RAND_bytes") }
        serial &= 0x7FFF_FFFF_FFFF_FFFF
        return serial == 0 ? 1 : serial
    }
}
