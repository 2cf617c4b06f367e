import COpenSSL

// Owners of OpenSSL pointers: each frees its pointer in `deinit`, so a value that goes out of
// scope (including when a later step of an init throws) releases what it holds. They are
// ~Copyable so a pointer can never have two owners.

/// Owns an `EVP_PKEY *`.
struct OwnedEVPKey: ~Copyable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}

/// Owns an `X509 *` (one reference of OpenSSL's count).
struct OwnedX509: ~Copyable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_free(pointer) }

    /// The certificate's DER digest with `algorithm`; nil if OpenSSL fails.
    func digest(_ algorithm: DTLSFingerprint.Algorithm) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeMutableBufferPointer { buffer in
            X509_digest(pointer, algorithm.messageDigest, buffer.baseAddress, &length)
        }
        guard ok == 1, Int(length) <= bytes.count else { return nil }
        return Array(bytes.prefix(Int(length)))
    }
}

/// Owns an `SSL_CTX *`.
struct OwnedSSLContext: ~Copyable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { SSL_CTX_free(pointer) }
}

/// Owns a memory `BIO *` until it is handed to an `SSL` (which then frees it).
struct OwnedBIO: ~Copyable {
    let pointer: OpaquePointer

    /// A new memory BIO whose reads report "retry" when empty (not end of file).
    static func memory() throws(DTLSError) -> OwnedBIO {
        guard let bio = BIO_new(BIO_s_mem()) else { throw DTLSError.fromErrorQueue("BIO_new") }
        copenssl_bio_set_mem_eof_return(bio, -1)
        return OwnedBIO(taking: bio)
    }

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    /// Gives up ownership (to `SSL_set_bio`) without freeing.
    consuming func release() -> OpaquePointer {
        let pointer = self.pointer
        discard self
        return pointer
    }

    deinit { BIO_free(pointer) }
}

/// Owns an `SSL *` and, once attached, its two memory BIOs (`SSL_free` frees them).
struct OwnedSSL: ~Copyable {
    let pointer: OpaquePointer

    init(context: OpaquePointer) throws(DTLSError) {
        guard let ssl = SSL_new(context) else { throw DTLSError.fromErrorQueue("SSL_new") }
        pointer = ssl
    }

    /// Hands both BIOs to the SSL; returns their (now borrowed) pointers, valid while `self` lives.
    func attach(read: consuming OwnedBIO, write: consuming OwnedBIO) -> (read: OpaquePointer, write: OpaquePointer) {
        let readBIO = read.release()
        let writeBIO = write.release()
        SSL_set_bio(pointer, readBIO, writeBIO)
        return (readBIO, writeBIO)
    }

    deinit { SSL_free(pointer) }
}
