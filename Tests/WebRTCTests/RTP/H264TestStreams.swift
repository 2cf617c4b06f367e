import NIOCore
import RelayTestSupport

@testable import WebRTC

/// Test H.264 material: NAL units of chosen types and sizes, AVCC framing, and delivery of
/// packetized payloads through a depacketizer.
enum H264TestStreams {
    static let sps = ByteBuffer(bytes: [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xE8, 0x40])
    static let pps = ByteBuffer(bytes: [0x68, 0xCE, 0x3C, 0x80])

    /// A NAL unit of `size` bytes (header included) of `type` with `nri`, seeded body bytes.
    static func nal(type: UInt8, nri: UInt8 = 3, size: Int, seed: UInt64 = 1) -> ByteBuffer {
        var generator = SeededGenerator(seed: seed &+ UInt64(size))
        var bytes = [nri << 5 | type]
        bytes += generator.bytes(max(size - 1, 0))
        return ByteBuffer(bytes: bytes)
    }

    /// `nalUnits` in AVCC framing with `lengthSize`-byte big-endian lengths.
    static func avcc(_ nalUnits: [ByteBuffer], lengthSize: Int = 4) -> ByteBuffer {
        var buffer = ByteBuffer()
        for unit in nalUnits {
            let length = unit.readableBytes
            for shift in stride(from: (lengthSize - 1) * 8, through: 0, by: -8) {
                buffer.writeInteger(UInt8(truncatingIfNeeded: length >> shift))
            }
            buffer.writeImmutableBuffer(unit)
        }
        return buffer
    }

    /// Feeds `payloads` (one access unit's) through `depacketizer` with consecutive sequence
    /// numbers from `sequence`, skipping the indices in `dropping`; returns what it completed.
    static func deliver(
        _ payloads: [RTPPayload],
        to depacketizer: inout H264Depacketizer,
        sequence: inout UInt16,
        timestamp: UInt32,
        dropping: Set<Int> = []
    ) -> [H264AccessUnit] {
        var units: [H264AccessUnit] = []
        for (index, payload) in payloads.enumerated() {
            defer { sequence &+= 1 }
            if dropping.contains(index) { continue }
            units += depacketizer.push(payload.bytes, sequenceNumber: sequence, timestamp: timestamp, marker: payload.marker)
        }
        return units
    }

    /// The payload type byte of a payload (its NAL type, 24 for STAP-A, 28 for FU-A).
    static func type(of payload: RTPPayload) -> UInt8 {
        (payload.bytes.getInteger(at: payload.bytes.readerIndex, as: UInt8.self) ?? 0) & 0x1F
    }
}
