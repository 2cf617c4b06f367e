public import NIOCore

/// One encoded Opus packet and where it sits on a continuous 48 kHz timeline.
public struct OpusPacket: Sendable, Equatable {
    /// Samples per channel in every packet this module makes (20 ms at 48 kHz).
    public static let frameSamples = 960

    /// The Opus packet (TOC byte and frames), ready to be an RTP payload (RFC 7587).
    public var data: ByteBuffer
    /// Timestamp of the packet's first sample in 48 kHz units (RTP's Opus clock).
    public var timestamp48k: UInt64
    /// Samples per channel the packet decodes to.
    public var durationSamples: Int

    public init(data: ByteBuffer, timestamp48k: UInt64, durationSamples: Int = OpusPacket.frameSamples) {
        self.data = data
        self.timestamp48k = timestamp48k
        self.durationSamples = durationSamples
    }

    /// ``timestamp48k`` as a 32-bit RTP timestamp (wrapping), before any random offset.
    public var rtpTimestamp: UInt32 { UInt32(truncatingIfNeeded: timestamp48k) }
}
