internal import CFFmpeg
public import NIOCore

/// Turns a stream's AAC audio (FLV audio tags: an AudioSpecificConfig, then raw AAC frames)
/// into Opus at 48 kHz stereo in 20 ms packets, for WebRTC viewers.
///
/// One instance per stream, shared by all of its viewers and used from one thread (the
/// caller's); the calls are synchronous and cost a little CPU (decode, resample, encode).
/// It is deliberately not `Sendable`: create it on the thread that will use it.
/// Any AAC input works: mono or stereo (or more, downmixed), 44.1 or 48 kHz (or any rate).
///
/// A frame the AAC decoder rejects is skipped and counted in ``skippedFrames``; it never
/// throws. Timestamps follow the rule in ``OpusTimeline``: continuous in 48 kHz units from
/// the first frame's `timestampMs × 48`, re-anchored on jumps over 500 ms, never decreasing.
///
/// A new AudioSpecificConfig mid-stream goes to ``reconfigure(audioSpecificConfig:)``, which
/// swaps the AAC decoder but keeps the Opus encoder and the timeline, so viewers see one
/// uninterrupted Opus stream. After ``flush()`` the instance is finished.
public final class AACToOpusTranscoder {
    /// The configuration the current decoder was opened with.
    public private(set) var audioSpecificConfig: [UInt8]
    /// AAC frames the decoder rejected (corrupt, or not matching the configuration).
    public private(set) var skippedFrames = 0

    private var decoder: SourceAudioDecoder
    private var resampler: AudioResampler?
    private let fifo: AudioSampleFIFO
    private let encoder: OpusEncoder
    private var timeline = OpusTimeline()
    private let allocator: ByteBufferAllocator
    private var finished = false

    /// Opens the AAC decoder for `audioSpecificConfig`, and the Opus encoder at `bitrate`
    /// bits per second (6 000 to 510 000).
    ///
    /// - Throws: ``FFmpegError`` when the configuration is malformed (operation
    ///   `"AudioSpecificConfig"`), the bitrate is out of range, or libopus is unavailable.
    public init(
        audioSpecificConfig: [UInt8], bitrate: Int = 64_000, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(FFmpegError) {
        decoder = try Self.openDecoder(audioSpecificConfig)
        self.audioSpecificConfig = audioSpecificConfig
        encoder = try OpusEncoder(bitrate: bitrate)
        fifo = try AudioSampleFIFO(format: OpusEncoder.sampleFormat, channels: OpusEncoder.channels, capacity: 4 * OpusEncoder.frameSamples)
        self.allocator = allocator
    }

    /// ``init(audioSpecificConfig:bitrate:allocator:)`` with the configuration's readable bytes.
    public convenience init(
        audioSpecificConfig: ByteBuffer, bitrate: Int = 64_000, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws(FFmpegError) {
        try self.init(audioSpecificConfig: Array(audioSpecificConfig.readableBytesView), bitrate: bitrate, allocator: allocator)
    }

    /// How many times a timestamp jump re-anchored the timeline.
    public var reanchorCount: Int { timeline.reanchors }

    /// What maps source times onto the Opus timeline now: `ms × 48 + offset48k`. Zero until a
    /// backward jump; useful to place the source's other media on the same clock.
    public var offset48k: Int64 { timeline.offset48k }

    /// Decodes one raw AAC frame (FLV AAC tag body after its 2-byte prefix) stamped
    /// `timestampMs`, and returns the Opus packets that are complete now (usually 0 to 2).
    ///
    /// - Throws: ``FFmpegError`` only when the Opus encoder fails; bad AAC input never throws.
    public func transcode(aacFrame: ByteBuffer, timestampMs: UInt32) throws(FFmpegError) -> [OpusPacket] {
        guard !finished else { return [] }
        timeline.arrive(timestampMs: timestampMs, queued: fifo.count)
        do {
            guard aacFrame.readableBytes > 0 else { throw FFmpegError.invalidData("empty AAC frame") }
            try aacFrame.withUnsafeReadableBytes { bytes in
                try decoder.decode(bytes, millis: Int64(timestampMs)) { frame throws(FFmpegError) in try resample(frame) }
            }
        } catch {
            skippedFrames += 1
        }
        return try encodeQueued()
    }

    /// Replaces the AAC decoder with one for `audioSpecificConfig` (a new sequence header); the
    /// Opus stream and its timeline continue. The same configuration again changes nothing.
    ///
    /// - Throws: ``FFmpegError`` when the configuration is malformed; the old decoder stays.
    public func reconfigure(audioSpecificConfig: [UInt8]) throws(FFmpegError) {
        guard audioSpecificConfig != self.audioSpecificConfig else { return }
        decoder = try Self.openDecoder(audioSpecificConfig)
        self.audioSpecificConfig = audioSpecificConfig
    }

    /// Encodes what is still queued (the last frame padded with silence) and flushes the
    /// encoder. Later calls return nothing.
    public func flush() -> [OpusPacket] {
        guard !finished else { return [] }
        finished = true
        var packets: [OpusPacket] = []
        do {
            try resampler?.convert(nil, into: fifo)
            packets += try encodeQueued()
            if fifo.count > 0 { packets += try wrap(encoder.encodeFrame(from: fifo)) }
            packets += try wrap(encoder.finish())
        } catch {
            // An encoder failure at the very end: what was made so far is all there is.
        }
        return packets
    }

    private static func openDecoder(_ config: [UInt8]) throws(FFmpegError) -> SourceAudioDecoder {
        _ = try AACConfiguration.parse(config)
        return try SourceAudioDecoder(config: config)
    }

    /// Converts one decoded frame into the FIFO, first replacing the resampler when the frame's
    /// shape changed (the old one's buffered samples are kept).
    private func resample(_ frame: MediaFrame) throws(FFmpegError) {
        let f = frame.pointer.pointee
        guard f.nb_samples > 0, (1...8).contains(f.ch_layout.nb_channels), (8_000...96_000).contains(f.sample_rate) else {
            throw .invalidData("decoded AAC frame")
        }
        if let current = resampler, current.accepts(frame) {
            try current.convert(frame, into: fifo)
            return
        }
        try? resampler?.convert(nil, into: fifo)
        resampler = nil
        let fresh = try AudioResampler(
            like: frame, outputChannels: OpusEncoder.channels, outputFormat: OpusEncoder.sampleFormat, outputRate: OpusEncoder.sampleRate)
        resampler = fresh
        try fresh.convert(frame, into: fifo)
    }

    private func encodeQueued() throws(FFmpegError) -> [OpusPacket] {
        var packets: [OpusPacket] = []
        while fifo.count >= Int(OpusEncoder.frameSamples) {
            packets += try wrap(encoder.encodeFrame(from: fifo))
        }
        return packets
    }

    /// Copies encoded packets out and stamps them in order on the timeline.
    private func wrap(_ encoded: [MediaPacket]) -> [OpusPacket] {
        encoded.map { packet in
            var data = allocator.buffer(capacity: packet.size)
            _ = packet.withUnsafeBytes { data.writeBytes($0) }
            let stamp = timeline.stamp(duration: OpusPacket.frameSamples)
            return OpusPacket(data: data, timestamp48k: stamp)
        }
    }
}
