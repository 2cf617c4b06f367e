import NIOCore

/// RTPFB generic NACK (RFC 4585 §6.2.1): the sequence numbers a receiver is missing, carried
/// as (PID, BLP) pairs: PID lost, and bit i of BLP set when PID + i + 1 is lost too.
public struct RTCPGenericNack: Sendable, Equatable {
    public var senderSSRC: UInt32
    public var mediaSSRC: UInt32
    /// Lost sequence numbers, in the order the pairs give them.
    public var lostSequenceNumbers: [UInt16]

    public init(senderSSRC: UInt32, mediaSSRC: UInt32, lostSequenceNumbers: [UInt16]) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
        self.lostSequenceNumbers = lostSequenceNumbers
    }

    static func parse(body: ByteBuffer) throws(RTCPError) -> RTCPGenericNack {
        let type = RTCPHeader.PacketType.transportFeedback
        let (sender, media) = try RTCPFeedbackFormat.ssrcs(of: body, packetType: type)
        let fciLength = body.readableBytes - 8
        guard fciLength >= 4, fciLength % 4 == 0 else { throw .malformed(packetType: type) }
        var lost: [UInt16] = []
        lost.reserveCapacity(fciLength / 4)
        var offset = body.readerIndex + 8
        while offset < body.writerIndex {
            guard let pid = body.getInteger(at: offset, as: UInt16.self),
                let blp = body.getInteger(at: offset + 2, as: UInt16.self)
            else { throw .malformed(packetType: type) }
            lost.append(pid)
            for bit in 0..<16 where blp & (1 << bit) != 0 {
                lost.append(pid &+ UInt16(bit + 1))
            }
            offset += 4
        }
        return RTCPGenericNack(senderSSRC: sender, mediaSSRC: media, lostSequenceNumbers: lost)
    }

    /// Packs `lost` into (PID, BLP) pairs. Any order is correct; ascending (wrapping) order
    /// packs tightest: each pair covers a PID and the 16 sequence numbers after it.
    static func pairs(_ lost: [UInt16]) -> [(pid: UInt16, blp: UInt16)] {
        var pairs: [(pid: UInt16, blp: UInt16)] = []
        for sequence in lost {
            if let last = pairs.last {
                let distance = sequence &- last.pid
                if distance == 0 { continue }
                if distance <= 16 {
                    pairs[pairs.count - 1].blp |= 1 << (distance - 1)
                    continue
                }
            }
            pairs.append((sequence, 0))
        }
        return pairs
    }

    /// Writes the NACK; nothing when there are no lost sequence numbers (a NACK without FCI
    /// is invalid).
    func write(into buffer: inout ByteBuffer) {
        let pairs = Self.pairs(lostSequenceNumbers)
        guard !pairs.isEmpty else { return }
        let start = RTCPFeedbackFormat.begin(
            format: RTCPFeedbackFormat.genericNack,
            packetType: RTCPHeader.PacketType.transportFeedback,
            sender: senderSSRC,
            media: mediaSSRC,
            in: &buffer
        )
        for pair in pairs {
            buffer.writeMultipleIntegers(pair.pid, pair.blp)
        }
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
