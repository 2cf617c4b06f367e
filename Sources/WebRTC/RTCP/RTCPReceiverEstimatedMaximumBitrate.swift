import NIOCore

/// PSFB application layer feedback "REMB" (draft-alvestrand-rmcat-remb): the receiver's
/// estimate of the total bitrate it can take for the listed media sources, as an 18-bit
/// mantissa and a 6-bit exponent.
public struct RTCPReceiverEstimatedMaximumBitrate: Sendable, Equatable {
    public var senderSSRC: UInt32
    /// Bits per second (saturating at `UInt64.max` for an exponent that overflows).
    public var bitrate: UInt64
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    /// "REMB" in ASCII, the FCI's first word.
    static let identifier: UInt32 = 0x5245_4D42
    private static let mantissaMax: UInt64 = 0x3FFFF

    /// Whether a PSFB FMT 15 body is a REMB (FCI starting with "REMB").
    static func isREMB(body: ByteBuffer) -> Bool {
        body.getInteger(at: body.readerIndex + 8, as: UInt32.self) == identifier
    }

    static func parse(body: ByteBuffer) throws(RTCPError) -> RTCPReceiverEstimatedMaximumBitrate {
        let type = RTCPHeader.PacketType.payloadFeedback
        let (sender, _) = try RTCPFeedbackFormat.ssrcs(of: body, packetType: type)
        let start = body.readerIndex
        guard body.getInteger(at: start + 8, as: UInt32.self) == identifier,
            let word = body.getInteger(at: start + 12, as: UInt32.self)
        else { throw .malformed(packetType: type) }
        let count = Int(word >> 24)
        let exponent = Int(word >> 18 & 0x3F)
        let mantissa = UInt64(word & 0x3FFFF)
        guard body.readableBytes >= 16 + 4 * count else { throw .countExceedsLength(packetType: type) }
        var ssrcs: [UInt32] = []
        ssrcs.reserveCapacity(count)
        for index in 0..<count {
            guard let ssrc = body.getInteger(at: start + 16 + 4 * index, as: UInt32.self) else {
                throw .countExceedsLength(packetType: type)
            }
            ssrcs.append(ssrc)
        }
        let significantBits = 64 - mantissa.leadingZeroBitCount
        let bitrate = significantBits + exponent > 64 ? UInt64.max : mantissa << exponent
        return RTCPReceiverEstimatedMaximumBitrate(senderSSRC: sender, bitrate: bitrate, ssrcs: ssrcs)
    }

    /// The (exponent, mantissa) pair for `bitrate`, rounding down to 18 significant bits.
    static func encode(bitrate: UInt64) -> (exponent: UInt32, mantissa: UInt32) {
        var exponent: UInt32 = 0
        while bitrate >> exponent > mantissaMax {
            exponent += 1
        }
        return (exponent, UInt32(bitrate >> exponent))
    }

    /// Writes the REMB (at most 255 SSRCs).
    func write(into buffer: inout ByteBuffer) {
        let listed = ssrcs.prefix(255)
        let start = RTCPFeedbackFormat.begin(
            format: RTCPFeedbackFormat.applicationLayer,
            packetType: RTCPHeader.PacketType.payloadFeedback,
            sender: senderSSRC,
            media: 0,
            in: &buffer
        )
        let (exponent, mantissa) = Self.encode(bitrate: bitrate)
        buffer.writeInteger(Self.identifier)
        buffer.writeInteger(UInt32(listed.count) << 24 | exponent << 18 | mantissa)
        for ssrc in listed {
            buffer.writeInteger(ssrc)
        }
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
