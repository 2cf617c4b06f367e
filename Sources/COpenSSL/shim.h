#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H

// OpenSSL 3 (Debian libssl-dev): DTLS 1.2 over memory BIOs, certificates, keying material export.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <string.h>

// Macros Swift cannot import, as inline functions (prefix: copenssl_).

/// SSL_CTX_set_min_proto_version / SSL_CTX_set_max_proto_version (macros over SSL_CTX_ctrl).
static inline int copenssl_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int copenssl_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
/// SSL_CTX_set1_groups_list: the ECDHE groups (OpenSSL 3 always does ECDHE "auto").
static inline int copenssl_ssl_ctx_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}
static inline void copenssl_ssl_ctx_set_read_ahead(SSL_CTX *ctx, int on) {
    (void)SSL_CTX_set_read_ahead(ctx, on);
}
/// Turns the server-side session cache off (each handshake would otherwise be kept in the SSL_CTX).
static inline void copenssl_ssl_ctx_disable_session_cache(SSL_CTX *ctx) {
    (void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}
/// SSL_OP_* constants (built with a function-like macro Swift cannot import).
static inline uint64_t copenssl_op_no_query_mtu(void) { return SSL_OP_NO_QUERY_MTU; }
static inline uint64_t copenssl_op_no_ticket(void) { return SSL_OP_NO_TICKET; }
static inline uint64_t copenssl_op_no_renegotiation(void) { return SSL_OP_NO_RENEGOTIATION; }
/// DTLS_set_link_mtu: returns 1 on success, 0 if the value is below OpenSSL's minimum.
static inline int copenssl_dtls_set_link_mtu(SSL *ssl, long mtu) {
    return (int)DTLS_set_link_mtu(ssl, mtu);
}
/// Whether a DTLS retransmission timer runs (DTLSv1_get_timeout answers 1); the time left it also
/// computes, on OpenSSL's own clock, is not used: callers keep the deadline on the clock they give.
static inline int copenssl_dtls_timer_running(SSL *ssl) {
    struct timeval tv;
    return DTLSv1_get_timeout(ssl, &tv) == 1 ? 1 : 0;
}
/// DTLSv1_handle_timeout: 1 when a flight was retransmitted, 0 when no timer expired (on OpenSSL's
/// own clock), -1 on error.
static inline int copenssl_dtls_handle_timeout(SSL *ssl) {
    return (int)DTLSv1_handle_timeout(ssl);
}
/// BIO_set_mem_eof_return: -1 makes an empty memory BIO report "retry" rather than end of file.
static inline void copenssl_bio_set_mem_eof_return(BIO *bio, int value) {
    (void)BIO_set_mem_eof_return(bio, value);
}
/// BIO_reset: drops what a memory BIO still holds.
static inline int copenssl_bio_reset(BIO *bio) {
    return (int)BIO_reset(bio);
}
/// EVP_PKEY_Q_keygen is variadic; this is its ECDSA P-256 form.
static inline EVP_PKEY *copenssl_generate_ec_p256_key(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

// SRTP packet crypto for the outbound RTP path (RFC 3711, RFC 7714), on one EVP_CIPHER_CTX keyed
// once per session: only the IV changes per packet, so OpenSSL allocates nothing.

/// AES-128-GCM: authenticates packet[0..<headerLength], encrypts the payload after it in place and
/// writes the 16-byte tag right after the payload. 1 on success.
static inline int copenssl_srtp_gcm_seal(EVP_CIPHER_CTX *ctx, const uint8_t *iv, uint8_t *packet, int headerLength, int payloadLength) {
    int written = 0;
    uint8_t *payload = packet + headerLength;
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) return 0;
    if (EVP_EncryptUpdate(ctx, NULL, &written, packet, headerLength) != 1) return 0;
    if (payloadLength > 0 && EVP_EncryptUpdate(ctx, payload, &written, payload, payloadLength) != 1) return 0;
    if (EVP_EncryptFinal_ex(ctx, payload + payloadLength, &written) != 1) return 0;
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, payload + payloadLength);
}

/// AES-128 counter mode from a 16-byte initial counter, in place. 1 on success.
static inline int copenssl_aes_ctr_xor(EVP_CIPHER_CTX *ctx, const uint8_t *iv, uint8_t *bytes, int length) {
    int written = 0;
    if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, iv) != 1) return 0;
    if (length > 0 && EVP_EncryptUpdate(ctx, bytes, &written, bytes, length) != 1) return 0;
    return EVP_EncryptFinal_ex(ctx, bytes + written, &written);
}

/// HMAC-SHA1 with the key's inner and outer blocks hashed once: per message only two plain
/// SHA_CTX copies (the low-level SHA1 calls are deprecated in OpenSSL 3, but they are the ones
/// that keep no heap state: EVP_MD_CTX_copy_ex and EVP_MAC_init allocate).
typedef struct {
    SHA_CTX inner;
    SHA_CTX outer;
} copenssl_hmac_sha1_key;

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
/// Prepares `prepared` from a key of at most 64 bytes (SRTP's auth key is 20). 1 on success.
static inline int copenssl_hmac_sha1_prepare(copenssl_hmac_sha1_key *prepared, const uint8_t *key, size_t keyLength) {
    uint8_t block[64];
    if (keyLength > sizeof(block)) return 0;
    memset(block, 0, sizeof(block));
    memcpy(block, key, keyLength);
    for (size_t i = 0; i < sizeof(block); i++) block[i] ^= 0x36;
    SHA1_Init(&prepared->inner);
    SHA1_Update(&prepared->inner, block, sizeof(block));
    for (size_t i = 0; i < sizeof(block); i++) block[i] ^= 0x36 ^ 0x5c;
    SHA1_Init(&prepared->outer);
    SHA1_Update(&prepared->outer, block, sizeof(block));
    memset(block, 0, sizeof(block));
    return 1;
}

/// The SRTP authentication tag (RFC 3711 4.2): HMAC-SHA1 over the message and then the 4-byte
/// big-endian rollover counter, its first `tagLength` (at most 20) bytes written to `tag`.
static inline void copenssl_hmac_sha1_srtp_tag(const copenssl_hmac_sha1_key *prepared, const uint8_t *message, size_t length, uint32_t rolloverCounter, uint8_t *tag, size_t tagLength) {
    uint8_t digest[SHA_DIGEST_LENGTH];
    uint8_t roc[4] = { (uint8_t)(rolloverCounter >> 24), (uint8_t)(rolloverCounter >> 16), (uint8_t)(rolloverCounter >> 8), (uint8_t)rolloverCounter };
    SHA_CTX context = prepared->inner;
    SHA1_Update(&context, message, length);
    SHA1_Update(&context, roc, sizeof(roc));
    SHA1_Final(digest, &context);
    context = prepared->outer;
    SHA1_Update(&context, digest, sizeof(digest));
    SHA1_Final(digest, &context);
    memcpy(tag, digest, tagLength < sizeof(digest) ? tagLength : sizeof(digest));
}
#pragma clang diagnostic pop

#endif
