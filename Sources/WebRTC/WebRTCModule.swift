// The SFU leg: ICE-lite (STUN/, ICE/), DTLS (DTLS/, OpenSSL), SRTP (SRTP/, libsrtp2), SDP (SDP/),
// RTP/RTCP (RTP/, RTCP/), one session state machine per viewer (Session/), and the media server
// and WHEP resource (Server/). COpenSSL and CSRTP are imported here and nowhere else.
