/// What one WebRTC viewer was sent and reported, for the live view, metrics and rung choice.
struct WebRTCViewerStats {
    var bytesSent = 0
    var retransmitted = 0
    var nackMisses = 0
    var protectFailures = 0
    var badRTCP = 0
    /// A WHIP publisher's packets that did not decrypt or parse, and the bytes it sent.
    var badRTP = 0
    var bytesReceived = 0
    var pictureLosses = 0
    /// From the viewer's receiver reports: the share of packets lost (0–1) and the round trip.
    var fractionLost: Double = 0
    var rttMs: Double?
    /// The viewer's receiver estimate (REMB), bits per second.
    var estimatedBitrate: Int?
}
