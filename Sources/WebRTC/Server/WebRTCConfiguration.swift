import NIOCore
import RelayCore

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
    /// Adaptive viewers: the rung chosen from the site's bandwidth, then moved by RTCP feedback.
    public var renditionSelection = RenditionSelector.Configuration()
    public init() {}
}
