import COpenSSL

extension DTLSTransport {
    /// The RFC 5764 4.2 exporter label.
    static let srtpExporterLabel = "EXTRACTOR-dtls_srtp"

    /// The SRTP profile the handshake agreed on, or nil (before completion, or none agreed).
    var selectedSRTPProfile: SRTPProfile? {
        guard let profile = SSL_get_selected_srtp_profile(ssl.pointer) else { return nil }
        return UInt16(exactly: profile.pointee.id).flatMap(SRTPProfile.init(rawValue:))
    }

    /// Exports the SRTP master keys and salts of the selected profile (RFC 5764 4.2):
    /// `SSL_export_keying_material` with the "EXTRACTOR-dtls_srtp" label and no context.
    func exportSRTPKeys() throws(DTLSError) -> SRTPKeyingMaterial {
        guard SSL_is_init_finished(ssl.pointer) == 1 else { throw .handshakeNotCompleted }
        guard let selected = SSL_get_selected_srtp_profile(ssl.pointer) else { throw .noSRTPProfileNegotiated }
        guard let profile = UInt16(exactly: selected.pointee.id).flatMap(SRTPProfile.init(rawValue:)) else {
            throw .unsupportedSRTPProfile(id: selected.pointee.id)
        }
        var bytes = [UInt8](repeating: 0, count: profile.exportedKeyingMaterialLength)
        let label = Self.srtpExporterLabel
        ERR_clear_error()
        let result = bytes.withUnsafeMutableBufferPointer { buffer in
            SSL_export_keying_material(ssl.pointer, buffer.baseAddress, buffer.count, label, label.utf8.count, nil, 0, 0)
        }
        guard result == 1 else { throw DTLSError.fromErrorQueue("SSL_export_keying_material") }
        guard let material = SRTPKeyingMaterial(profile: profile, exportedKeyingMaterial: bytes) else {
            throw .openSSL(operation: "SSL_export_keying_material", reason: "wrong keying material length")
        }
        return material
    }

    /// The digest of the peer's certificate with `algorithm`, to compare with the SDP's
    /// `a=fingerprint`; nil before the peer has presented one.
    func peerCertificateFingerprint(algorithm: DTLSFingerprint.Algorithm = .sha256) -> [UInt8]? {
        guard let pointer = SSL_get1_peer_certificate(ssl.pointer) else { return nil }
        let peerCertificate = OwnedX509(taking: pointer)
        return peerCertificate.digest(algorithm)
    }

    /// The same, with the hash function named as SDP names it ("sha-256", any case); nil for a
    /// name we cannot compute or before the peer has presented a certificate.
    func peerCertificateFingerprint(algorithm name: String) -> [UInt8]? {
        guard let algorithm = DTLSFingerprint.Algorithm(sdpName: name) else { return nil }
        return peerCertificateFingerprint(algorithm: algorithm)
    }

    /// Whether the peer's certificate has `fingerprint` (the SDP's `a=fingerprint`).
    func peerCertificateMatches(_ fingerprint: DTLSFingerprint) -> Bool {
        guard let actual = peerCertificateFingerprint(algorithm: fingerprint.algorithm) else { return false }
        return actual == fingerprint.bytes
    }
}
