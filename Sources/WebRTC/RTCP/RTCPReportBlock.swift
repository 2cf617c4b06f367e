import NIOCore

/// One reception report (RFC 3550 §6.4.1), in SRs and RRs: what a receiver saw of one source.
public struct RTCPReportBlock: Sendable, Equatable {
    /// The source this block reports on.
    public var ssrc: UInt32
    /// Fraction of packets lost since the last report, in 1/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost: a signed 24-bit field (duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles in the high 16 bits).
    public var highestSequenceNumber: UInt32
    /// Interarrival jitter, in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the NTP time of the last SR received from the source, 0 if none.
    public var lastSenderReport: UInt32
    /// Delay since that SR, in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public init(
        ssrc: UInt32,
        fractionLost: UInt8 = 0,
        cumulativeLost: Int32 = 0,
        highestSequenceNumber: UInt32 = 0,
        jitter: UInt32 = 0,
        lastSenderReport: UInt32 = 0,
        delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.highestSequenceNumber = highestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    static let size = 24

    /// Reads `count` blocks starting at `offset` in `body`; the caller checked the length.
    static func parse(_ body: ByteBuffer, at offset: Int, count: Int, packetType: UInt8) throws(RTCPError) -> [RTCPReportBlock] {
        guard body.writerIndex - offset >= count * size else { throw .countExceedsLength(packetType: packetType) }
        var blocks: [RTCPReportBlock] = []
        blocks.reserveCapacity(count)
        for index in 0..<count {
            let at = offset + index * size
            guard let ssrc = body.getInteger(at: at, as: UInt32.self),
                let lossWord = body.getInteger(at: at + 4, as: UInt32.self),
                let highest = body.getInteger(at: at + 8, as: UInt32.self),
                let jitter = body.getInteger(at: at + 12, as: UInt32.self),
                let lsr = body.getInteger(at: at + 16, as: UInt32.self),
                let dlsr = body.getInteger(at: at + 20, as: UInt32.self)
            else { throw .countExceedsLength(packetType: packetType) }
            // Sign-extend the 24-bit cumulative count.
            let cumulative = Int32(bitPattern: lossWord << 8) >> 8
            blocks.append(
                RTCPReportBlock(
                    ssrc: ssrc,
                    fractionLost: UInt8(lossWord >> 24),
                    cumulativeLost: cumulative,
                    highestSequenceNumber: highest,
                    jitter: jitter,
                    lastSenderReport: lsr,
                    delaySinceLastSenderReport: dlsr
                ))
        }
        return blocks
    }

    func write(into buffer: inout ByteBuffer) {
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        let lossWord = UInt32(fractionLost) << 24 | UInt32(bitPattern: clamped) & 0x00FF_FFFF
        buffer.writeMultipleIntegers(ssrc, lossWord, highestSequenceNumber, jitter, lastSenderReport, delaySinceLastSenderReport)
    }
}
