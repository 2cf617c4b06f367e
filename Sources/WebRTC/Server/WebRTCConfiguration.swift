public import NIOCore
public import RelayCore

/// The media server's settings (`webrtc.*` and `limits.maxWebRTCSessions` in relayd's config).
public struct WebRTCConfiguration: Sendable {
    /// Address the UDP (and ICE-TCP) sockets bind to.
    public var host = "0.0.0.0"
    /// UDP port every session shares (`webrtc.port`); 0 picks a free one.
    public var port = 8189
    /// ICE-TCP passive port (`webrtc.tcpPort`); nil: no ICE-TCP.
    public var tcpPort: Int? = 8189
    /// Candidate addresses put in answers (`webrtc.publicAddresses`); empty: the host's own.
    public var publicAddresses: [String] = []
    /// Sessions at once (`limits.maxWebRTCSessions`); one more offer gets 503.
    public var maxSessions = 500
    /// Offers and connections one key or one address may take before it is refused, so one
    /// school cannot fill `maxSessions` or the ICE-TCP port (``OfferAdmission``).
    public var admission = WebRTCOfferLimits()
    /// ICE-TCP connections open from one IP address (`limits.maxConnectionsPerIP`); more are closed at accept.
    public var maxTCPConnectionsPerIP = 100
    /// An ICE-TCP connection whose address no session knows (no valid binding request with a
    /// session's credentials) this long after it opened, or at any later check, is closed.
    public var tcpIdleTimeout: TimeAmount = .seconds(10)
    /// Adaptive viewers: the rung chosen from the site's bandwidth, then moved by RTCP feedback.
    public var renditionSelection = RenditionSelector.Configuration()
    public init() {}
}
