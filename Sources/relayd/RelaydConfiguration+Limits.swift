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

        static let keys = [
            "maxConnections", "maxConnectionsPerIP", "maxStreams", "maxMessageBytes", "maxRequestBodyBytes",
            "authFailuresPerMinute", "authLockoutSeconds", "maxWebRTCSessions",
            "maxUnconnectedWebRTCPerKey", "maxUnconnectedWebRTCPerIP", "webrtcOffersPerSecondPerIP",
        ]
    }
}

extension ConfigReader {
    func readLimits(_ t: [String: Any], into limits: inout RelaydConfiguration.Limits) throws(ConfigurationError) {
        if let v = t["maxConnections"] { limits.maxConnections = try int(v, at: "limits.maxConnections", in: 1...1_000_000) }
        if let v = t["maxConnectionsPerIP"] {
            limits.maxConnectionsPerIP = try int(v, at: "limits.maxConnectionsPerIP", in: 1...1_000_000)
        }
        if let v = t["maxStreams"] { limits.maxStreams = try int(v, at: "limits.maxStreams", in: 1...100_000) }
        if let v = t["maxMessageBytes"] {
            limits.maxMessageBytes = try int(v, at: "limits.maxMessageBytes", in: 65_536...0xFF_FFFF + 1)
        }
        if let v = t["maxRequestBodyBytes"] {
            limits.maxRequestBodyBytes = try int(v, at: "limits.maxRequestBodyBytes", in: 1024...(16 << 20))
        }
        if let v = t["authFailuresPerMinute"] {
            limits.authFailuresPerMinute = try int(v, at: "limits.authFailuresPerMinute", in: 1...100_000)
        }
        if let v = t["maxWebRTCSessions"] { limits.maxWebRTCSessions = try int(v, at: "limits.maxWebRTCSessions", in: 1...100_000) }
        if let v = t["authLockoutSeconds"] { limits.authLockoutSeconds = try int(v, at: "limits.authLockoutSeconds", in: 1...86_400) }
        if let v = t["maxUnconnectedWebRTCPerKey"] {
            limits.maxUnconnectedWebRTCPerKey = try int(v, at: "limits.maxUnconnectedWebRTCPerKey", in: 1...100_000)
        }
        if let v = t["maxUnconnectedWebRTCPerIP"] {
            limits.maxUnconnectedWebRTCPerIP = try int(v, at: "limits.maxUnconnectedWebRTCPerIP", in: 1...100_000)
        }
        if let v = t["webrtcOffersPerSecondPerIP"] {
            limits.webrtcOffersPerSecondPerIP = try int(v, at: "limits.webrtcOffersPerSecondPerIP", in: 1...100_000)
        }
        if t["maxConnectionsPerIP"] == nil { limits.maxConnectionsPerIP = min(limits.maxConnectionsPerIP, limits.maxConnections) }
        guard limits.maxConnectionsPerIP <= limits.maxConnections else {
            throw ConfigurationError(
                key: "limits.maxConnectionsPerIP",
                problem: "must not exceed limits.maxConnections (\(limits.maxConnections)), got \(limits.maxConnectionsPerIP)"
            )
        }
    }
}
