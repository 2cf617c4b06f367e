import COpenSSL

/// Protects outbound RTP (RFC 3711, RFC 7714) with one cipher context keyed at the handshake, so
/// the per-viewer hot path allocates nothing: libsrtp2 re-initializes OpenSSL's cipher for every
/// packet, five to fourteen mallocs each. libsrtp2 keeps everything else (SRTCP both ways,
/// unprotecting what the peer sends) and is the reference these bytes are tested against.
///
/// AES-GCM: IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) ⊕ salt, the header as associated data, a 16-byte
/// tag. AES-CM: counter = (salt ‖ 00 00) ⊕ (SSRC at byte 4) ⊕ (ROC ‖ SEQ at byte 8), then an
/// HMAC-SHA1 tag over header, payload and ROC, cut to 10 bytes. Not thread-safe.
final class SRTPPacketSealer {
    let profile: SRTPProfile
    private let cipher: OwnedCipherContext
    private let salt: [UInt8]
    private var authentication = copenssl_hmac_sha1_key()
    /// Per SSRC (a viewer has two: audio and video). Looking up a known one allocates nothing.
    private var rolloverCounters: [UInt32: SRTPRolloverCounter] = [:]
    private var iv = [UInt8](repeating: 0, count: 16)

    /// Bytes the tag adds to a packet.
    var tagLength: Int { profile == .aeadAES128GCM ? 16 : 10 }

    init(profile: SRTPProfile, masterKey: [UInt8], masterSalt: [UInt8]) throws(SRTPError) {
        guard masterKey.count == profile.masterKeyLength, masterSalt.count == profile.masterSaltLength else {
            throw .badParameter(.createSession)
        }
        self.profile = profile
        var key = try SRTPKeyDerivation.derive(.rtpEncryption, length: 16, masterKey: masterKey, masterSalt: masterSalt)
        defer { for index in key.indices { key[index] = 0 } }
        salt = try SRTPKeyDerivation.derive(.rtpSalt, length: profile.masterSaltLength, masterKey: masterKey, masterSalt: masterSalt)
        switch profile {
        case .aeadAES128GCM:
            cipher = try OwnedCipherContext(.gcm, key: key)
        case .aes128CMHMACSHA1_80:
            cipher = try OwnedCipherContext(.counter, key: key)
            var authKey = try SRTPKeyDerivation.derive(.rtpAuthentication, length: 20, masterKey: masterKey, masterSalt: masterSalt)
            defer { for index in authKey.indices { authKey[index] = 0 } }
            guard authKey.withUnsafeBufferPointer({ copenssl_hmac_sha1_prepare(&authentication, $0.baseAddress, 20) }) == 1 else {
                throw .cipherFailure(.createSession)
            }
        }
    }

    /// Protects the RTP packet in `buffer[0..<length]` in place and returns its SRTP length;
    /// `buffer` needs `tagLength` bytes of room past the packet.
    func seal(in buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), length + tagLength <= buffer.count,
            let headerLength = Self.headerLength(base, length)
        else { throw .badParameter(.protectRTP) }
        let sequence = UInt16(base[2]) << 8 | UInt16(base[3])
        let ssrc = UInt32(base[8]) << 24 | UInt32(base[9]) << 16 | UInt32(base[10]) << 8 | UInt32(base[11])
        let rollover = rolloverCounters[ssrc, default: SRTPRolloverCounter()].rolloverCounter(for: sequence)
        let payloadLength = length - headerLength
        let ok: Int32 = iv.withUnsafeMutableBufferPointer { iv in
            let iv = iv.baseAddress!
            salt.withUnsafeBufferPointer { salt in
                for index in 0..<16 { iv[index] = index < salt.count ? salt[index] : 0 }
            }
            // GCM's 12 bytes put the SSRC at 2, the ROC at 6, the SEQ at 10; CM's 16, at 4, 8, 12.
            let ssrcAt = profile == .aeadAES128GCM ? 2 : 4
            for shift in 0..<4 {
                iv[ssrcAt + shift] ^= UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * shift))
                iv[ssrcAt + 4 + shift] ^= UInt8(truncatingIfNeeded: rollover >> (24 - 8 * shift))
            }
            iv[ssrcAt + 8] ^= UInt8(sequence >> 8)
            iv[ssrcAt + 9] ^= UInt8(truncatingIfNeeded: sequence)
            switch profile {
            case .aeadAES128GCM:
                return copenssl_srtp_gcm_seal(cipher.pointer, iv, base, Int32(headerLength), Int32(payloadLength))
            case .aes128CMHMACSHA1_80:
                guard copenssl_aes_ctr_xor(cipher.pointer, iv, base + headerLength, Int32(payloadLength)) == 1 else { return 0 }
                copenssl_hmac_sha1_srtp_tag(&authentication, base, length, rollover, base + length, 10)
                return 1
            }
        }
        guard ok == 1 else { throw .cipherFailure(.protectRTP) }
        return length + tagLength
    }

    /// The RTP header's length (fixed part, CSRCs, extension block), or nil if it does not fit.
    private static func headerLength(_ packet: UnsafeMutablePointer<UInt8>, _ length: Int) -> Int? {
        guard length >= 12, packet[0] >> 6 == 2 else { return nil }
        var headerLength = 12 + 4 * Int(packet[0] & 0x0F)
        if packet[0] & 0x10 != 0 {
            guard length >= headerLength + 4 else { return nil }
            headerLength += 4 + 4 * (Int(packet[headerLength + 2]) << 8 | Int(packet[headerLength + 3]))
        }
        return headerLength <= length ? headerLength : nil
    }
}

@available(*, unavailable)
extension SRTPPacketSealer: Sendable {}
