import NIOCore

/// PSFB picture loss indication (RFC 4585 §6.3.1): the receiver lost the picture of
/// `mediaSSRC` and needs a keyframe. No FCI.
public struct RTCPPictureLossIndication: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32

    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    static func parse(body: ByteBuffer) throws(RTCPError) -> RTCPPictureLossIndication {
        let (sender, media) = try RTCPFeedbackFormat.ssrcs(of: body, packetType: RTCPHeader.PacketType.payloadFeedback)
        return RTCPPictureLossIndication(senderSSRC: sender, mediaSSRC: media)
    }

    func write(into buffer: inout ByteBuffer) {
        let start = RTCPFeedbackFormat.begin(
            format: RTCPFeedbackFormat.pictureLossIndication,
            packetType: RTCPHeader.PacketType.payloadFeedback,
            sender: senderSSRC,
            media: mediaSSRC,
            in: &buffer
        )
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
