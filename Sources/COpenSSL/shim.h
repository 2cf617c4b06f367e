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
/// DTLSv1_get_timeout in microseconds: returns 1 and the time left if a retransmission timer runs.
static inline int copenssl_dtls_get_timeout_microseconds(SSL *ssl, int64_t *microseconds) {
    struct timeval tv;
    if (DTLSv1_get_timeout(ssl, &tv) != 1) {
        return 0;
    }
    *microseconds = (int64_t)tv.tv_sec * 1000000 + (int64_t)tv.tv_usec;
    return 1;
}
/// DTLSv1_handle_timeout: 1 when a flight was retransmitted, 0 when no timer expired, -1 on error.
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

#endif
