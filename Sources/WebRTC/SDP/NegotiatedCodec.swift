/// The codec chosen for one m-line: the offer's payload type and what goes with it.
struct NegotiatedCodec: Hashable, Sendable {
    var payloadType: UInt8
    /// As the offer wrote it (`H264`, `opus`).
    var encodingName: String
    var clockRate: UInt32
    var channels: UInt8?
    /// The offer's fmtp for this payload type, which the answer echoes.
    var formatParameters: FormatParameters?
    /// Feedback the offer lists for this payload type (or `*`) that the relay also supports.
    var feedback: RTCPFeedbackSet
    /// The offer's RTX payload type whose `apt=` is `payloadType`, if any. The answer lists it
    /// only when the local description gives an RTX SSRC.
    var rtxPayloadType: UInt8?
    /// For H.264, the offer's `profile-level-id`, if well-formed.
    var h264ProfileLevelID: H264ProfileLevelID?

    /// The rtpmap the answer writes.
    var rtpMap: RTPMap {
        RTPMap(payloadType: payloadType, encodingName: encodingName, clockRate: clockRate, channels: channels)
    }
}
