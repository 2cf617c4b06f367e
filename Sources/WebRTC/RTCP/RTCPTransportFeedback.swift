public import NIOCore

/// RTPFB transport-wide congestion control feedback (FMT 15), kept undecoded: the media SSRC
/// and the FCI bytes (base sequence, status count, reference time, chunks, deltas) for a
/// congestion controller to decode.
public struct RTCPTransportFeedback: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// The FCI, a slice of the received packet (padding removed).
    public var feedback: ByteBuffer

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, feedback: ByteBuffer) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.feedback = feedback
    }

    static func parse(body: ByteBuffer) throws(RTCPError) -> RTCPTransportFeedback {
        let type = RTCPHeader.PacketType.transportFeedback
        let (sender, media) = try RTCPFeedbackFormat.ssrcs(of: body, packetType: type)
        guard let feedback = body.getSlice(at: body.readerIndex + 8, length: body.readableBytes - 8) else {
            throw .malformed(packetType: type)
        }
        return RTCPTransportFeedback(senderSSRC: sender, mediaSSRC: media, feedback: feedback)
    }

    func write(into buffer: inout ByteBuffer) {
        let start = RTCPFeedbackFormat.begin(
            format: RTCPFeedbackFormat.transportWideCC,
            packetType: RTCPHeader.PacketType.transportFeedback,
            sender: senderSSRC,
            media: mediaSSRC,
            in: &buffer
        )
        buffer.writeImmutableBuffer(feedback)
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
