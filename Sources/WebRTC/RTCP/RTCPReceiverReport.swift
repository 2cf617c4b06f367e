import NIOCore

/// RTCP RR (RFC 3550 §6.4.2): reception reports from a participant that is not sending.
public struct RTCPReceiverReport: Sendable, Equatable {
    public var ssrc: UInt32
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    static func parse(body: ByteBuffer, count: UInt8) throws(RTCPError) -> RTCPReceiverReport {
        let type = RTCPHeader.PacketType.receiverReport
        guard let ssrc = body.getInteger(at: body.readerIndex, as: UInt32.self) else { throw .malformed(packetType: type) }
        let reports = try RTCPReportBlock.parse(body, at: body.readerIndex + 4, count: Int(count), packetType: type)
        return RTCPReceiverReport(ssrc: ssrc, reports: reports)
    }

    /// Writes one RR per 31 report blocks (at least one RR).
    func write(into buffer: inout ByteBuffer) {
        var first = 0
        repeat {
            let end = min(first + 31, reports.count)
            let start = RTCPHeader.begin(count: UInt8(end - first), packetType: RTCPHeader.PacketType.receiverReport, in: &buffer)
            buffer.writeInteger(ssrc)
            for block in reports[first..<end] {
                block.write(into: &buffer)
            }
            RTCPHeader.finish(at: start, in: &buffer)
            first = end
        } while first < reports.count
    }
}
