public import NIOCore

/// One Opus packet of 20 ms of digital silence (48 kHz stereo), encoded once with libopus, so
/// a lesson without audio can still send an audio track (some players wait for one).
public struct OpusSilence: Sendable {
    /// The encoded packet; a few bytes.
    public let payload: ByteBuffer

    /// Encodes one 960-sample frame of zeros.
    ///
    /// - Throws: ``FFmpegError`` when libopus is unavailable.
    public init(bitrate: Int = 64_000) throws(FFmpegError) {
        let encoder = try OpusEncoder(bitrate: bitrate)
        guard let packet = try encoder.encodeFrame(from: nil).first else {
            throw .invalidData("libopus produced no packet for silence")
        }
        var buffer = ByteBufferAllocator().buffer(capacity: packet.size)
        _ = packet.withUnsafeBytes { buffer.writeBytes($0) }
        payload = buffer
    }

    /// The silent packet at `timestamp48k` (20 ms long).
    public func packet(timestamp48k: UInt64) -> OpusPacket {
        OpusPacket(data: payload, timestamp48k: timestamp48k)
    }
}
