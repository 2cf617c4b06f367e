import COpenSSL

/// Owns one `EVP_CIPHER_CTX *` keyed for encryption with AES-128 (GCM or counter mode) and frees
/// it in `deinit`. Keyed once; each packet then only sets its IV, which allocates nothing.
struct OwnedCipherContext: ~Copyable {
    enum Mode { case gcm, counter }

    let pointer: OpaquePointer

    /// A context for `mode` under the 16-byte `key`.
    init(_ mode: Mode, key: [UInt8]) throws(SRTPError) {
        guard key.count == 16, let context = EVP_CIPHER_CTX_new() else { throw .cipherFailure(.createSession) }
        let cipher = mode == .gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr()
        let keyed = key.withUnsafeBufferPointer { key in
            EVP_EncryptInit_ex(context, cipher, nil, key.baseAddress, nil)
        }
        // GCM's IV is SRTP's 12 bytes, OpenSSL's default length.
        guard keyed == 1 else {
            EVP_CIPHER_CTX_free(context)
            throw .cipherFailure(.createSession)
        }
        pointer = context
    }

    deinit { EVP_CIPHER_CTX_free(pointer) }
}
