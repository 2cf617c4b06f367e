import COpenSSL

/// The SRTP key derivation (RFC 3711 4.3, key derivation rate 0 as DTLS-SRTP uses it): each
/// session key is the AES counter-mode keystream under the master key, started from the master
/// salt with the key's label at byte 7. AES-GCM's 12-byte master salt is padded with zeros to
/// 14 bytes on the right, as libsrtp and the browsers do (RFC 7714 11).
enum SRTPKeyDerivation {
    enum Label: UInt8 {
        case rtpEncryption = 0x00
        case rtpAuthentication = 0x01
        case rtpSalt = 0x02
    }

    /// `length` bytes of the session key `label` for the master key and salt.
    static func derive(_ label: Label, length: Int, masterKey: [UInt8], masterSalt: [UInt8]) throws(SRTPError) -> [UInt8] {
        guard masterSalt.count <= 14 else { throw .badParameter(.createSession) }
        let context = try OwnedCipherContext(.counter, key: masterKey)
        var counter = [UInt8](repeating: 0, count: 16)
        counter.replaceSubrange(0..<masterSalt.count, with: masterSalt)
        counter[7] ^= label.rawValue
        var keystream = [UInt8](repeating: 0, count: length)
        let ok = keystream.withUnsafeMutableBufferPointer { bytes in
            counter.withUnsafeBufferPointer { copenssl_aes_ctr_xor(context.pointer, $0.baseAddress, bytes.baseAddress, Int32(length)) }
        }
        for index in counter.indices { counter[index] = 0 }
        guard ok == 1 else { throw .cipherFailure(.createSession) }
        return keystream
    }
}
