public import NIOCore

/// One packet of an RTCP compound packet, as far as the relay reads it.
public enum RTCPPacket: Sendable, Equatable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case bye(RTCPGoodbye)
    /// RTPFB FMT 1.
    case nack(RTCPGenericNack)
    /// RTPFB FMT 15, undecoded.
    case transportCC(RTCPTransportFeedback)
    /// PSFB FMT 1.
    case pli(RTCPPictureLossIndication)
    /// PSFB FMT 4.
    case fir(RTCPFullIntraRequest)
    /// PSFB FMT 15 with the "REMB" identifier.
    case remb(RTCPReceiverEstimatedMaximumBitrate)
    /// APP, XR, and feedback messages not listed above: the packet type and its 5-bit count
    /// or format field.
    case unknown(packetType: UInt8, format: UInt8)

    /// Parses one packet's body (after the header, padding removed).
    static func parse(header: RTCPHeader, body: ByteBuffer) throws(RTCPError) -> RTCPPacket {
        typealias PacketType = RTCPHeader.PacketType
        switch (header.packetType, header.count) {
        case (PacketType.senderReport, _):
            return .senderReport(try RTCPSenderReport.parse(body: body, count: header.count))
        case (PacketType.receiverReport, _):
            return .receiverReport(try RTCPReceiverReport.parse(body: body, count: header.count))
        case (PacketType.sourceDescription, _):
            return .sourceDescription(try RTCPSourceDescription.parse(body: body, count: header.count))
        case (PacketType.goodbye, _):
            return .bye(try RTCPGoodbye.parse(body: body, count: header.count))
        case (PacketType.transportFeedback, RTCPFeedbackFormat.genericNack):
            return .nack(try RTCPGenericNack.parse(body: body))
        case (PacketType.transportFeedback, RTCPFeedbackFormat.transportWideCC):
            return .transportCC(try RTCPTransportFeedback.parse(body: body))
        case (PacketType.payloadFeedback, RTCPFeedbackFormat.pictureLossIndication):
            return .pli(try RTCPPictureLossIndication.parse(body: body))
        case (PacketType.payloadFeedback, RTCPFeedbackFormat.fullIntraRequest):
            return .fir(try RTCPFullIntraRequest.parse(body: body))
        case (PacketType.payloadFeedback, RTCPFeedbackFormat.applicationLayer)
        where RTCPReceiverEstimatedMaximumBitrate.isREMB(body: body):
            return .remb(try RTCPReceiverEstimatedMaximumBitrate.parse(body: body))
        case (PacketType.transportFeedback, _), (PacketType.payloadFeedback, _):
            // Unknown feedback still has the common layout: check it is there.
            _ = try RTCPFeedbackFormat.ssrcs(of: body, packetType: header.packetType)
            return .unknown(packetType: header.packetType, format: header.count)
        default:
            return .unknown(packetType: header.packetType, format: header.count)
        }
    }

    /// Appends the packet; `.unknown` writes nothing (its body was not kept).
    public func write(into buffer: inout ByteBuffer) {
        switch self {
        case .senderReport(let packet): packet.write(into: &buffer)
        case .receiverReport(let packet): packet.write(into: &buffer)
        case .sourceDescription(let packet): packet.write(into: &buffer)
        case .bye(let packet): packet.write(into: &buffer)
        case .nack(let packet): packet.write(into: &buffer)
        case .transportCC(let packet): packet.write(into: &buffer)
        case .pli(let packet): packet.write(into: &buffer)
        case .fir(let packet): packet.write(into: &buffer)
        case .remb(let packet): packet.write(into: &buffer)
        case .unknown: break
        }
    }
}
