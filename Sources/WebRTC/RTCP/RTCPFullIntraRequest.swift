import NIOCore

/// PSFB full intra request (RFC 5104 §4.3.1): a keyframe request per media source, each with
/// a command sequence number so a repeated request is recognised. The media SSRC field of the
/// common header is 0; the sources are in the entries.
public struct RTCPFullIntraRequest: Sendable, Equatable {
    /// One FCI entry.
    public struct Entry: Sendable, Equatable {
        public var ssrc: UInt32
        public var sequenceNumber: UInt8

        public init(ssrc: UInt32, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }
    }

    public var senderSSRC: UInt32
    public var entries: [Entry]

    public init(senderSSRC: UInt32, entries: [Entry]) {
        self.senderSSRC = senderSSRC
        self.entries = entries
    }

    private static let entrySize = 8

    static func parse(body: ByteBuffer) throws(RTCPError) -> RTCPFullIntraRequest {
        let type = RTCPHeader.PacketType.payloadFeedback
        let (sender, _) = try RTCPFeedbackFormat.ssrcs(of: body, packetType: type)
        let fciLength = body.readableBytes - 8
        guard fciLength >= entrySize, fciLength % entrySize == 0 else { throw .malformed(packetType: type) }
        var entries: [Entry] = []
        entries.reserveCapacity(fciLength / entrySize)
        var offset = body.readerIndex + 8
        while offset < body.writerIndex {
            guard let ssrc = body.getInteger(at: offset, as: UInt32.self),
                let sequence = body.getInteger(at: offset + 4, as: UInt8.self)
            else { throw .malformed(packetType: type) }
            entries.append(Entry(ssrc: ssrc, sequenceNumber: sequence))
            offset += entrySize
        }
        return RTCPFullIntraRequest(senderSSRC: sender, entries: entries)
    }

    /// Writes the FIR; nothing when there are no entries (a FIR without FCI is invalid).
    func write(into buffer: inout ByteBuffer) {
        guard !entries.isEmpty else { return }
        let start = RTCPFeedbackFormat.begin(
            format: RTCPFeedbackFormat.fullIntraRequest,
            packetType: RTCPHeader.PacketType.payloadFeedback,
            sender: senderSSRC,
            media: 0,
            in: &buffer
        )
        for entry in entries {
            buffer.writeInteger(entry.ssrc)
            buffer.writeInteger(entry.sequenceNumber)
            buffer.writeRepeatingByte(0, count: 3)
        }
        RTCPHeader.finish(at: start, in: &buffer)
    }
}
