import NIOCore

/// The feedback message types (FMT) of RTPFB and PSFB packets, and the common layout of
/// their bodies (RFC 4585 §6.1): sender SSRC, media SSRC, then the FCI.
enum RTCPFeedbackFormat {
    /// RTPFB: generic NACK (RFC 4585 §6.2.1).
    static let genericNack: UInt8 = 1
    /// RTPFB: transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions).
    static let transportWideCC: UInt8 = 15
    /// PSFB: picture loss indication (RFC 4585 §6.3.1).
    static let pictureLossIndication: UInt8 = 1
    /// PSFB: full intra request (RFC 5104 §4.3.1).
    static let fullIntraRequest: UInt8 = 4
    /// PSFB: application layer feedback; REMB when the FCI starts with "REMB".
    static let applicationLayer: UInt8 = 15

    /// The two SSRCs at the front of a feedback body; the FCI starts 8 bytes in.
    static func ssrcs(of body: ByteBuffer, packetType: UInt8) throws(RTCPError) -> (sender: UInt32, media: UInt32) {
        guard let sender = body.getInteger(at: body.readerIndex, as: UInt32.self),
            let media = body.getInteger(at: body.readerIndex + 4, as: UInt32.self)
        else { throw .malformed(packetType: packetType) }
        return (sender, media)
    }

    /// Writes a feedback packet's header and SSRCs; finish it with `RTCPHeader.finish`.
    static func begin(format: UInt8, packetType: UInt8, sender: UInt32, media: UInt32, in buffer: inout ByteBuffer) -> Int {
        let start = RTCPHeader.begin(count: format, packetType: packetType, in: &buffer)
        buffer.writeMultipleIntegers(sender, media)
        return start
    }
}
