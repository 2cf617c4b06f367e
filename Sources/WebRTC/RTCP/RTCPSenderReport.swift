import NIOCore

/// RTCP SR (RFC 3550 §6.4.1): the sender's NTP/RTP timestamp pair (for lip sync and the
/// receiver's round-trip estimate), its counts, and any reception reports.
public struct RTCPSenderReport: Sendable, Equatable {
    public var ssrc: UInt32
    /// 64-bit NTP time (see `NTPTimestamp`).
    public var ntpTime: UInt64
    /// The RTP timestamp corresponding to `ntpTime`.
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, ntpTime: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTime = ntpTime
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    /// Sender SSRC plus sender info.
    private static let fixedBodySize = 24

    static func parse(body: ByteBuffer, count: UInt8) throws(RTCPError) -> RTCPSenderReport {
        let type = RTCPHeader.PacketType.senderReport
        let start = body.readerIndex
        guard body.readableBytes >= fixedBodySize,
            let ssrc = body.getInteger(at: start, as: UInt32.self),
            let ntp = body.getInteger(at: start + 4, as: UInt64.self),
            let rtp = body.getInteger(at: start + 12, as: UInt32.self),
            let packets = body.getInteger(at: start + 16, as: UInt32.self),
            let octets = body.getInteger(at: start + 20, as: UInt32.self)
        else { throw .malformed(packetType: type) }
        let reports = try RTCPReportBlock.parse(body, at: start + fixedBodySize, count: Int(count), packetType: type)
        return RTCPSenderReport(ssrc: ssrc, ntpTime: ntp, rtpTimestamp: rtp, packetCount: packets, octetCount: octets, reports: reports)
    }

    /// Writes the SR; report blocks past the 31 an SR holds follow in RRs.
    func write(into buffer: inout ByteBuffer) {
        let inline = min(reports.count, 31)
        let start = RTCPHeader.begin(count: UInt8(inline), packetType: RTCPHeader.PacketType.senderReport, in: &buffer)
        buffer.writeMultipleIntegers(ssrc, ntpTime, rtpTimestamp, packetCount, octetCount)
        for block in reports[..<inline] {
            block.write(into: &buffer)
        }
        RTCPHeader.finish(at: start, in: &buffer)
        if reports.count > inline {
            RTCPReceiverReport(ssrc: ssrc, reports: Array(reports[inline...])).write(into: &buffer)
        }
    }
}
