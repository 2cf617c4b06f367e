/// The `limits:` section: what one relay accepts before it refuses, so a hostile or broken
/// peer costs a bounded amount and never the lessons of everyone else.
extension RelaydConfiguration {
    struct Limits: Sendable, Equatable {
        /// Open RTMP connections in all; more are closed at accept.
        var maxConnections = 1000
        /// Open RTMP connections from one IP address.
        var maxConnectionsPerIP = 100
        /// Streams the relay holds (published or waited for); a publish or play that would
        /// open one more is refused.
        var maxStreams = 200
        /// Largest RTMP message accepted from a peer (the wire format caps it at 16 MiB).
        var maxMessageBytes = 16 << 20
        /// Largest REST API request body (413 above it).
        var maxRequestBodyBytes = 64 * 1024
        /// Failed API authentications one IP address may make per minute before it is locked out.
        var authFailuresPerMinute = 10
        /// How long a locked-out address gets 429 (with Retry-After), even with the right token.
        var authLockoutSeconds = 60
        /// WebRTC sessions (WHEP viewers) at once; one more offer gets 503.
        var maxWebRTCSessions = 500
        /// WebRTC sessions not yet connected one key, and one IP address, may hold; offers a
        /// second from one IP (a burst of three times that after a quiet spell).
        var maxUnconnectedWebRTCPerKey = 20
        var maxUnconnectedWebRTCPerIP = 20
        var webrtcOffersPerSecondPerIP = 10
    }
}
