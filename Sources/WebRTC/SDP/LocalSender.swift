/// One stream the relay sends on an m-line: its SSRC (and RTX SSRC), RTCP CNAME and msid.
struct LocalSender: Hashable, Sendable {
    var ssrc: UInt32
    /// Written (with the negotiated RTX payload type and `a=ssrc-group:FID`) only when the offer
    /// had RTX for the chosen codec.
    var rtxSSRC: UInt32?
    var cname: String
    var streamID: String
    var trackID: String

    init(ssrc: UInt32, rtxSSRC: UInt32? = nil, cname: String, streamID: String, trackID: String) {
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        self.cname = cname
        self.streamID = streamID
        self.trackID = trackID
    }
}
