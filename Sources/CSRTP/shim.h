#ifndef CSRTP_SHIM_H
#define CSRTP_SHIM_H

// libsrtp2 (Debian libsrtp2-dev).
#include <srtp2/srtp.h>

// Macros Swift cannot import, as inline functions (prefix: csrtp_).

/// SRTP_MAX_TRAILER_LEN: the most bytes srtp_protect appends (auth tag + MKI); RTCP adds 4 more.
static inline int csrtp_max_trailer_length(void) { return SRTP_MAX_TRAILER_LEN; }

#endif
