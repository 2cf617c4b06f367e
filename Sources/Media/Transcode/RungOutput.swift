import NIOCore
import RelayCore

/// One rung of a class's transcoder: its scaler, its encoder and the stream it publishes,
/// encoding only while someone watches it. The encoder is opened when the rung is first
/// watched (a rung nobody ever plays costs no memory), and its sequence header published then.
final class RungOutput {
    let rendition: Rendition
    let session: PublishSession
    private let fps: Double
    private let settings: TranscodeSettings
    private var scaler: FrameScaler?
    private var encoder: RungEncoder?
    private var audioEncoder: RungAudioEncoder?
    private var watched = false

    init(rendition: Rendition, fps: Double, settings: TranscodeSettings, session: PublishSession) {
        self.rendition = rendition
        self.session = session
        self.fps = fps
        self.settings = settings
    }

    /// Opens the scaler and encoder and publishes the video sequence header, once.
    private func open(at timestamp: UInt32, allocator: ByteBufferAllocator) throws(FFmpegError) -> (FrameScaler, RungEncoder) {
        if let scaler, let encoder { return (scaler, encoder) }
        let scaler = try FrameScaler(width: rendition.width, height: rendition.height)
        let encoder = try RungEncoder(rendition: rendition, fps: fps, settings: settings)
        self.scaler = scaler
        self.encoder = encoder
        var video = MediaMessage.allocatePayload(capacity: encoder.sequenceHeader.count, allocator: allocator)
        video.writeBytes(encoder.sequenceHeader)
        session.publish(MediaMessage(kind: .video, timestamp: timestamp, payload: video))
        return (scaler, encoder)
    }

    /// Whether players are on this rung now. A rung nobody watched starts again at a keyframe,
    /// with its stale cached pictures forgotten.
    func updateWatched() -> (watched: Bool, resumed: Bool) {
        let now = session.stream.subscriberCount > 0
        defer { watched = now }
        if !now, watched { session.discardCachedMedia() }
        return (now, now && !watched)
    }

    var isWatched: Bool { watched }

    /// Scales and encodes one decoded picture; publishes what the encoder produced.
    func encode(_ frame: MediaFrame, pts: Int64, keyframe: Bool, allocator: ByteBufferAllocator) throws(FFmpegError) {
        let (scaler, encoder) = try open(at: UInt32(clamping: max(0, pts)), allocator: allocator)
        let scaled = try scaler.scale(frame)
        try encoder.encode(scaled, pts: pts, keyframe: keyframe, allocator: allocator) { session.publish($0) }
    }

    /// Publishes a copy of a source message (audio): each stream frames its own copy in place.
    func publishCopy(of message: MediaMessage, allocator: ByteBufferAllocator) {
        var payload = MediaMessage.allocatePayload(capacity: message.size, allocator: allocator)
        var source = message.payload
        payload.writeBuffer(&source)
        session.publish(MediaMessage(kind: message.kind, timestamp: message.timestamp, payload: payload))
    }

    /// Forgets the audio encoder (the source's audio format changed).
    func resetAudio() { audioEncoder = nil }

    /// Encodes one decoded source audio frame at this rung's audio bitrate; the encoder opens,
    /// and its sequence header is published, on first use.
    func encodeAudio(_ frame: MediaFrame, millis: Int64, source: SourceAudioDecoder, allocator: ByteBufferAllocator) throws(FFmpegError) {
        let encoder: RungAudioEncoder
        if let audioEncoder {
            encoder = audioEncoder
        } else {
            encoder = try RungAudioEncoder(kbps: rendition.audioKbps, like: source)
            audioEncoder = encoder
            var header = MediaMessage.allocatePayload(capacity: encoder.sequenceHeader.count, allocator: allocator)
            header.writeBytes(encoder.sequenceHeader)
            session.publish(MediaMessage(kind: .audio, timestamp: UInt32(clamping: max(0, millis)), payload: header))
        }
        try encoder.encode(frame, millis: millis, allocator: allocator) { session.publish($0) }
    }
}
