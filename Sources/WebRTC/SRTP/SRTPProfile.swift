/// A DTLS-SRTP protection profile we offer and accept (RFC 5764 4.1.2, RFC 7714 14.2).
///
/// The raw value is the profile's IANA identifier, as OpenSSL reports it in
/// `SSL_get_selected_srtp_profile`.
enum SRTPProfile: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// AES-128 counter mode with an 80-bit HMAC-SHA1 tag: the profile every browser supports.
    case aes128CMHMACSHA1_80 = 0x0001
    /// AES-128-GCM with a 16-byte tag (AEAD): cheaper per packet, preferred when offered.
    case aeadAES128GCM = 0x0007

    /// The name OpenSSL uses in `SSL_CTX_set_tlsext_use_srtp`.
    var openSSLName: String {
        switch self {
        case .aes128CMHMACSHA1_80: "SRTP_AES128_CM_SHA1_80"
        case .aeadAES128GCM: "SRTP_AEAD_AES_128_GCM"
        }
    }

    /// The length in bytes of each master key the DTLS exporter yields for this profile.
    var masterKeyLength: Int { 16 }

    /// The length in bytes of each master salt: 14 for AES-CM, 12 for AES-GCM.
    var masterSaltLength: Int {
        switch self {
        case .aes128CMHMACSHA1_80: 14
        case .aeadAES128GCM: 12
        }
    }

    /// How many bytes to export with the "EXTRACTOR-dtls_srtp" label: two keys and two salts.
    var exportedKeyingMaterialLength: Int { 2 * (masterKeyLength + masterSaltLength) }

    var description: String { openSSLName }
}
