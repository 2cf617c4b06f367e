public import NIOCore

/// One H.264 access unit reassembled from RTP: its NAL units (header byte included, no
/// start codes or lengths) and whether packets of it were lost or malformed.
public struct H264AccessUnit: Sendable, Equatable {
    /// The RTP timestamp (90 kHz) shared by its packets.
    public var timestamp: UInt32
    public var nalUnits: [ByteBuffer]
    /// Set when a packet of it was missing or malformed; the NAL units it lost are not in
    /// `nalUnits`, so a decoder should wait for the next keyframe.
    public var isDamaged: Bool

    public init(timestamp: UInt32, nalUnits: [ByteBuffer] = [], isDamaged: Bool = false) {
        self.timestamp = timestamp
        self.nalUnits = nalUnits
        self.isDamaged = isDamaged
    }

    /// Whether an IDR slice is among its NAL units.
    public var containsIDR: Bool {
        nalUnits.contains { unit in
            unit.getInteger(at: unit.readerIndex, as: UInt8.self).map { H264NALType.of($0) == H264NALType.idrSlice } ?? false
        }
    }

    /// The NAL units in AVCC framing, each after a 4-byte big-endian length.
    public var avcc: ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: nalUnits.reduce(0) { $0 + 4 + $1.readableBytes })
        for unit in nalUnits {
            buffer.writeInteger(UInt32(unit.readableBytes))
            buffer.writeImmutableBuffer(unit)
        }
        return buffer
    }
}
