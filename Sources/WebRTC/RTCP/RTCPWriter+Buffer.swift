public import NIOCore

extension RTCPWriter {
    /// Room for the SRTCP trailer (index and tag) so protecting in place does not reallocate.
    static let protectionRoom = 32

    /// `body` writing into a new buffer sized `size` plus room for SRTCP.
    private static func buffer(size: Int, _ body: (inout ByteBuffer) -> Void) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size + protectionRoom)
        body(&buffer)
        return buffer
    }

    /// A new compound SR + SDES (CNAME) packet; see `senderReport(...into:)`.
    public static func senderReport(
        ssrc: UInt32,
        ntpTime: UInt64,
        rtpTimestamp: UInt32,
        packetCount: UInt32,
        octetCount: UInt32,
        reports: [RTCPReportBlock] = [],
        cname: String?
    ) -> ByteBuffer {
        buffer(size: 28 + 24 * reports.count + 12 + (cname?.utf8.count ?? 0)) {
            senderReport(
                ssrc: ssrc, ntpTime: ntpTime, rtpTimestamp: rtpTimestamp, packetCount: packetCount,
                octetCount: octetCount, reports: reports, cname: cname, into: &$0)
        }
    }

    /// A new compound RR (+ SDES CNAME when given).
    public static func receiverReport(ssrc: UInt32, reports: [RTCPReportBlock], cname: String? = nil) -> ByteBuffer {
        buffer(size: 8 + 24 * reports.count + 12 + (cname?.utf8.count ?? 0)) {
            receiverReport(ssrc: ssrc, reports: reports, cname: cname, into: &$0)
        }
    }

    /// A new generic NACK; empty when `lost` is.
    public static func nack(senderSSRC: UInt32, mediaSSRC: UInt32, lost: [UInt16]) -> ByteBuffer {
        buffer(size: 12 + 4 * lost.count) { nack(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lost: lost, into: &$0) }
    }

    /// A new PLI.
    public static func pli(senderSSRC: UInt32, mediaSSRC: UInt32) -> ByteBuffer {
        buffer(size: 12) { pli(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, into: &$0) }
    }

    /// A new FIR.
    public static func fir(senderSSRC: UInt32, mediaSSRC: UInt32, sequenceNumber: UInt8) -> ByteBuffer {
        buffer(size: 20) { fir(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, sequenceNumber: sequenceNumber, into: &$0) }
    }

    /// A new REMB.
    public static func remb(senderSSRC: UInt32 = 0, bitrate: UInt64, ssrcs: [UInt32]) -> ByteBuffer {
        buffer(size: 20 + 4 * ssrcs.count) { remb(senderSSRC: senderSSRC, bitrate: bitrate, ssrcs: ssrcs, into: &$0) }
    }
}
