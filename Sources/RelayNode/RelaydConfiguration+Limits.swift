/// The `limits:` section: what one relay accepts before it refuses, so a hostile or broken
/// peer costs a bounded amount and never the lessons of everyone else.
extension RelaydConfiguration {
    package struct Limits: Sendable, Equatable {
        /// Open RTMP connections in all; more are closed at accept.
        package var maxConnections = 1000
        /// Open RTMP connections from one IP address.
        package var maxConnectionsPerIP = 100
        /// Streams the relay holds (published or waited for); a publish or play that would
        /// open one more is refused.
        package var maxStreams = 200
        /// Largest RTMP message accepted from a peer (the wire format caps it at 16 MiB).
        package var maxMessageBytes = 16 << 20
        /// Largest REST API request body (413 above it).
        package var maxRequestBodyBytes = 64 * 1024
        /// Failed API authentications one IP address may make per minute before it is locked out.
        package var authFailuresPerMinute = 10
        /// How long a locked-out address gets 429 (with Retry-After), even with the right token.
        package var authLockoutSeconds = 60
        /// WebRTC sessions (WHEP viewers) at once; one more offer gets 503.
        package var maxWebRTCSessions = 500
        /// WebRTC sessions not yet connected one key, and one IP address, may hold; offers a
        /// second from one IP (a burst of three times that after a quiet spell).
        package var maxUnconnectedWebRTCPerKey = 20
        package var maxUnconnectedWebRTCPerIP = 20
        package var webrtcOffersPerSecondPerIP = 10
    }
}
