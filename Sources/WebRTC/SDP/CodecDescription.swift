/// One offered payload type: its rtpmap, fmtp and RTCP feedback (including `a=rtcp-fb:*`).
struct CodecDescription: Hashable, Sendable {
    var rtpMap: RTPMap
    var formatParameters: FormatParameters?
    var feedback: [RTCPFeedback]

    var payloadType: UInt8 { rtpMap.payloadType }

    /// `packetization-mode` for H.264; RFC 6184 makes it 0 when absent.
    var h264PacketizationMode: Int {
        guard let text = formatParameters?["packetization-mode"] else { return 0 }
        return SDPText.decimal(text, as: Int.self) ?? -1
    }

    /// `profile-level-id` for H.264, when present and well-formed.
    var h264ProfileLevelID: H264ProfileLevelID? {
        formatParameters?["profile-level-id"].flatMap(H264ProfileLevelID.init(hex:))
    }

    /// `apt=` of an RTX payload type: the payload type it retransmits.
    var associatedPayloadType: UInt8? {
        formatParameters?["apt"].flatMap { SDPText.decimal($0, as: UInt8.self) }
    }
}
