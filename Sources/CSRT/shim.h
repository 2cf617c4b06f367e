#ifndef CSRT_SHIM_H
#define CSRT_SHIM_H

// libsrt built against GnuTLS (Debian libsrt-gnutls-dev): the build libavformat links.
#include <srt/srt.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>

// Enum values and constants Swift imports awkwardly, as inline functions (prefix: csrt_).

static inline int csrt_EPOLL_IN(void) { return SRT_EPOLL_IN; }
static inline int csrt_EPOLL_OUT(void) { return SRT_EPOLL_OUT; }
static inline int csrt_EPOLL_ERR(void) { return SRT_EPOLL_ERR; }
static inline int csrt_EASYNCSND(void) { return SRT_EASYNCSND; }
static inline int csrt_EASYNCRCV(void) { return SRT_EASYNCRCV; }
static inline int csrt_ETIMEOUT(void) { return SRT_ETIMEOUT; }
static inline int csrt_REJC_PREDEFINED(void) { return SRT_REJC_PREDEFINED; }
static inline int csrt_REJ_BADSECRET(void) { return SRT_REJ_BADSECRET; }
static inline int32_t csrt_INVALID_SOCK(void) { return SRT_INVALID_SOCK; }
static inline int csrt_LIVE_PAYLOAD_SIZE(void) { return SRT_LIVE_DEF_PLSIZE; }

/// Sets an int-valued option.
static inline int csrt_set_int(SRTSOCKET s, SRT_SOCKOPT opt, int value) {
    return srt_setsockflag(s, opt, &value, sizeof value);
}
/// Sets an int64-valued option (SRTO_MAXBW).
static inline int csrt_set_int64(SRTSOCKET s, SRT_SOCKOPT opt, int64_t value) {
    return srt_setsockflag(s, opt, &value, sizeof value);
}
/// Sets a string option (SRTO_PASSPHRASE, SRTO_STREAMID).
static inline int csrt_set_string(SRTSOCKET s, SRT_SOCKOPT opt, const char *value) {
    return srt_setsockflag(s, opt, value, (int)strlen(value));
}

#endif
