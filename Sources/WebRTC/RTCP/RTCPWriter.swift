public import NIOCore

/// Builds the RTCP packets the relay sends, appending to a caller's buffer (reused between
/// reports, then SRTCP-protected), or into a new buffer (`RTCPWriter+Buffer.swift`).
public enum RTCPWriter {
    /// A compound SR + SDES (CNAME) for one outgoing stream, as RFC 3550 §6.1 asks of every
    /// compound packet a sender sends.
    public static func senderReport(
        ssrc: UInt32,
        ntpTime: UInt64,
        rtpTimestamp: UInt32,
        packetCount: UInt32,
        octetCount: UInt32,
        reports: [RTCPReportBlock] = [],
        cname: String?,
        into buffer: inout ByteBuffer
    ) {
        RTCPSenderReport(
            ssrc: ssrc,
            ntpTime: ntpTime,
            rtpTimestamp: rtpTimestamp,
            packetCount: packetCount,
            octetCount: octetCount,
            reports: reports
        ).write(into: &buffer)
        if let cname {
            sourceDescription(ssrc: ssrc, cname: cname, into: &buffer)
        }
    }

    /// A compound RR (+ SDES CNAME when given).
    public static func receiverReport(ssrc: UInt32, reports: [RTCPReportBlock], cname: String? = nil, into buffer: inout ByteBuffer) {
        RTCPReceiverReport(ssrc: ssrc, reports: reports).write(into: &buffer)
        if let cname {
            sourceDescription(ssrc: ssrc, cname: cname, into: &buffer)
        }
    }

    /// An SDES with one chunk carrying `cname`.
    public static func sourceDescription(ssrc: UInt32, cname: String, into buffer: inout ByteBuffer) {
        RTCPSourceDescription(chunks: [.init(ssrc: ssrc, cname: cname)]).write(into: &buffer)
    }

    /// A generic NACK for `lost` (packed into PID/BLP pairs); nothing when `lost` is empty.
    public static func nack(senderSSRC: UInt32, mediaSSRC: UInt32, lost: [UInt16], into buffer: inout ByteBuffer) {
        RTCPGenericNack(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, lostSequenceNumbers: lost).write(into: &buffer)
    }

    /// A picture loss indication for `mediaSSRC`.
    public static func pli(senderSSRC: UInt32, mediaSSRC: UInt32, into buffer: inout ByteBuffer) {
        RTCPPictureLossIndication(senderSSRC: senderSSRC, mediaSSRC: mediaSSRC).write(into: &buffer)
    }

    /// A full intra request for `mediaSSRC` with command sequence number `sequenceNumber`
    /// (increase it for each new request).
    public static func fir(senderSSRC: UInt32, mediaSSRC: UInt32, sequenceNumber: UInt8, into buffer: inout ByteBuffer) {
        RTCPFullIntraRequest(senderSSRC: senderSSRC, entries: [.init(ssrc: mediaSSRC, sequenceNumber: sequenceNumber)])
            .write(into: &buffer)
    }

    /// A REMB of `bitrate` bits per second (rounded down to 18 significant bits) for `ssrcs`.
    public static func remb(senderSSRC: UInt32 = 0, bitrate: UInt64, ssrcs: [UInt32], into buffer: inout ByteBuffer) {
        RTCPReceiverEstimatedMaximumBitrate(senderSSRC: senderSSRC, bitrate: bitrate, ssrcs: ssrcs).write(into: &buffer)
    }

    /// A BYE for `ssrcs`.
    public static func bye(ssrcs: [UInt32], reason: String? = nil, into buffer: inout ByteBuffer) {
        RTCPGoodbye(ssrcs: ssrcs, reason: reason).write(into: &buffer)
    }
}
