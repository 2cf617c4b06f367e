public import NIOCore

/// Reassembles H.264 access units from RFC 6184 (packetization-mode 1) RTP payloads given in
/// sequence order: single NAL unit packets, STAP-A and FU-A.
///
/// An access unit ends at a packet with the marker bit or when the timestamp changes. A gap
/// in sequence numbers or a malformed payload marks the access unit damaged; a FU-A with a
/// missing fragment is dropped whole. Used by the tests, the load generator and WHIP ingest.
public struct H264Depacketizer: Sendable {
    private var current: H264AccessUnit?
    /// The NAL unit being reassembled from FU-A fragments.
    private var fragment: ByteBuffer?
    private var lastSequenceNumber: UInt16?
    private let allocator = ByteBufferAllocator()

    public init() {}

    /// Feeds one parsed RTP packet; returns the access units it completed.
    public mutating func push(_ packet: RTPPacket) -> [H264AccessUnit] {
        push(
            packet.payload,
            sequenceNumber: packet.header.sequenceNumber,
            timestamp: packet.header.timestamp,
            marker: packet.header.marker
        )
    }

    /// Feeds one RTP payload; returns the access units it completed (none, one, or two when
    /// a timestamp change ended the previous one and this packet's marker ends its own).
    public mutating func push(_ payload: ByteBuffer, sequenceNumber: UInt16, timestamp: UInt32, marker: Bool) -> [H264AccessUnit] {
        var completed: [H264AccessUnit] = []
        var lost = false
        if let last = lastSequenceNumber {
            let distance = Int16(bitPattern: sequenceNumber &- last)
            guard distance > 0 else { return completed }  // duplicate or late: ignore
            lost = distance > 1
        }
        lastSequenceNumber = sequenceNumber

        if lost {
            dropFragment()
            current?.isDamaged = true
        }
        if let unit = current, unit.timestamp != timestamp, let finished = finish() {
            completed.append(finished)
        }
        if current == nil {
            current = H264AccessUnit(timestamp: timestamp, isDamaged: lost)
        }
        consume(payload)
        if marker, let finished = finish() {
            completed.append(finished)
        }
        return completed
    }

    /// Ends the pending access unit (at the end of the stream).
    public mutating func flush() -> H264AccessUnit? {
        finish()
    }

    private mutating func finish() -> H264AccessUnit? {
        dropFragment()
        defer { current = nil }
        return current
    }

    /// Drops a FU-A in progress, marking the access unit damaged.
    private mutating func dropFragment() {
        if fragment != nil {
            fragment = nil
            current?.isDamaged = true
        }
    }

    private mutating func markDamaged() {
        current?.isDamaged = true
    }

    private mutating func consume(_ payload: ByteBuffer) {
        guard let first = payload.getInteger(at: payload.readerIndex, as: UInt8.self) else {
            markDamaged()
            return
        }
        let type = H264NALType.of(first)
        switch type {
        case 1...23:
            dropFragment()
            current?.nalUnits.append(payload)
        case H264NALType.stapA:
            dropFragment()
            consumeAggregation(payload)
        case H264NALType.fuA:
            consumeFragment(payload, indicator: first)
        default:  // STAP-B, MTAP, FU-B (not in mode 1), reserved
            dropFragment()
            markDamaged()
        }
    }

    private mutating func consumeAggregation(_ payload: ByteBuffer) {
        var offset = payload.readerIndex + 1
        let end = payload.writerIndex
        guard offset < end else {
            markDamaged()
            return
        }
        while offset < end {
            guard let size = payload.getInteger(at: offset, as: UInt16.self),
                size > 0, Int(size) <= end - offset - 2,
                let unit = payload.getSlice(at: offset + 2, length: Int(size))
            else {
                markDamaged()
                return
            }
            current?.nalUnits.append(unit)
            offset += 2 + Int(size)
        }
    }

    private mutating func consumeFragment(_ payload: ByteBuffer, indicator: UInt8) {
        guard let header = payload.getInteger(at: payload.readerIndex + 1, as: UInt8.self),
            let body = payload.getSlice(at: payload.readerIndex + 2, length: payload.readableBytes - 2)
        else {
            dropFragment()
            markDamaged()
            return
        }
        let start = header & 0x80 != 0
        let end = header & 0x40 != 0
        if start {
            dropFragment()  // a start while one is in progress: the previous lost its end
            var unit = allocator.buffer(capacity: 1 + body.readableBytes * 4)
            unit.writeInteger(indicator & 0xE0 | H264NALType.of(header))
            fragment = unit
        } else if fragment == nil {
            markDamaged()  // its start was lost
            return
        }
        fragment?.writeImmutableBuffer(body)
        if end, let unit = fragment {
            fragment = nil
            current?.nalUnits.append(unit)
        }
    }
}
