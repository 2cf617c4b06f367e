/// The SRTP master keys and salts a DTLS-SRTP handshake yields (RFC 5764 4.2).
///
/// The exporter's output is laid out as client key, server key, client salt, server salt. The
/// client's key and salt protect what the DTLS client sends; the server's, what the server sends.
/// `description` never prints key bytes.
struct SRTPKeyingMaterial: Sendable, Hashable, CustomStringConvertible {
    let profile: SRTPProfile
    let clientMasterKey: [UInt8]
    let serverMasterKey: [UInt8]
    let clientMasterSalt: [UInt8]
    let serverMasterSalt: [UInt8]

    /// Builds keying material from its four parts; nil if a part's length does not fit `profile`.
    init?(
        profile: SRTPProfile,
        clientMasterKey: [UInt8],
        serverMasterKey: [UInt8],
        clientMasterSalt: [UInt8],
        serverMasterSalt: [UInt8]
    ) {
        guard clientMasterKey.count == profile.masterKeyLength,
            serverMasterKey.count == profile.masterKeyLength,
            clientMasterSalt.count == profile.masterSaltLength,
            serverMasterSalt.count == profile.masterSaltLength
        else { return nil }
        self.profile = profile
        self.clientMasterKey = clientMasterKey
        self.serverMasterKey = serverMasterKey
        self.clientMasterSalt = clientMasterSalt
        self.serverMasterSalt = serverMasterSalt
    }

    /// Splits the exporter's output (`profile.exportedKeyingMaterialLength` bytes); nil if the
    /// length is wrong.
    init?(profile: SRTPProfile, exportedKeyingMaterial bytes: [UInt8]) {
        guard bytes.count == profile.exportedKeyingMaterialLength else { return nil }
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        var offset = 0
        func take(_ count: Int) -> [UInt8] {
            defer { offset += count }
            return Array(bytes[offset..<(offset + count)])
        }
        let clientKey = take(keyLength)
        let serverKey = take(keyLength)
        let clientSalt = take(saltLength)
        let serverSalt = take(saltLength)
        self.init(
            profile: profile,
            clientMasterKey: clientKey,
            serverMasterKey: serverKey,
            clientMasterSalt: clientSalt,
            serverMasterSalt: serverSalt
        )
    }

    /// The master key followed by the master salt, as libsrtp's policy wants it, for what the
    /// `sender` role sends.
    func keyAndSalt(sentBy sender: DTLSRole) -> [UInt8] {
        switch sender {
        case .client: clientMasterKey + clientMasterSalt
        case .server: serverMasterKey + serverMasterSalt
        }
    }

    /// The master key and the master salt apart, for what the `sender` role sends.
    func masterKeyAndSalt(sentBy sender: DTLSRole) -> (key: [UInt8], salt: [UInt8]) {
        switch sender {
        case .client: (clientMasterKey, clientMasterSalt)
        case .server: (serverMasterKey, serverMasterSalt)
        }
    }

    var description: String { "SRTPKeyingMaterial(\(profile), keys redacted)" }
}
