public import NIOCore

/// RFC 7587: one Opus packet is one RTP payload (marker clear), timestamps at 48 kHz
/// whatever the encoder's sample rate.
public struct OpusPacketizer: Sendable {
    /// The RTP clock rate of Opus.
    public static let clockRate: UInt32 = 48_000

    public init() {}

    /// The payload for one Opus packet: the same bytes, not copied.
    public func packetize(_ packet: ByteBuffer) -> RTPPayload {
        RTPPayload(bytes: packet, marker: false)
    }

    /// The RTP timestamp for a presentation time in milliseconds (FLV timestamps), wrapping.
    public static func timestamp(milliseconds: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: milliseconds &* 48)
    }

    /// Samples at 48 kHz in one Opus packet, from its TOC byte and frame count (RFC 6716 §3.1);
    /// nil for an empty or malformed packet or one longer than 120 ms.
    public static func sampleCount(of packet: ByteBuffer) -> Int? {
        guard let toc = packet.getInteger(at: packet.readerIndex, as: UInt8.self) else { return nil }
        let configuration = Int(toc >> 3)
        let frameSamples: Int
        switch configuration {
        case 0...11:  // SILK: 10, 20, 40, 60 ms
            frameSamples = configuration % 4 == 3 ? 2880 : 480 << (configuration % 4)
        case 12...15:  // hybrid: 10, 20 ms
            frameSamples = 480 << (configuration % 2)
        default:  // CELT: 2.5, 5, 10, 20 ms
            frameSamples = 120 << (configuration % 4)
        }
        let frames: Int
        switch toc & 0x03 {
        case 0: frames = 1
        case 1, 2: frames = 2
        default:
            guard let count = packet.getInteger(at: packet.readerIndex + 1, as: UInt8.self), count & 0x3F > 0 else {
                return nil
            }
            frames = Int(count & 0x3F)
        }
        let samples = frames * frameSamples
        return samples <= 5760 ? samples : nil
    }
}
