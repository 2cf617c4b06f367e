/// The ICE and DTLS attributes that may stand at session level or in an m-line: credentials,
/// ICE options, certificate fingerprints and the DTLS role.
struct TransportAttributes: Hashable, Sendable {
    var iceUfrag: String?
    var icePwd: String?
    var iceOptions: [String] = []
    var fingerprints: [SDPFingerprint] = []
    var setup: DTLSSetupRole?
}
