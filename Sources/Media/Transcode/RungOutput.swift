import NIOCore
import RelayCore

/// One rung of a class's transcoder: its scaler, its encoder and the stream it publishes,
/// encoding only while someone watches it.
final class RungOutput {
    let rendition: Rendition
    let session: PublishSession
    private let scaler: FrameScaler
    private let encoder: RungEncoder
    private var watched = false

    init(rendition: Rendition, fps: Double, settings: TranscodeSettings, session: PublishSession) throws(FFmpegError) {
        self.rendition = rendition
        self.session = session
        scaler = try FrameScaler(width: rendition.width, height: rendition.height)
        encoder = try RungEncoder(rendition: rendition, fps: fps, settings: settings)
    }

    /// Publishes the rung's sequence headers (video from the encoder, audio as the source's).
    func publishHeaders(audio: MediaMessage?, allocator: ByteBufferAllocator) {
        var video = MediaMessage.allocatePayload(capacity: encoder.sequenceHeader.count, allocator: allocator)
        video.writeBytes(encoder.sequenceHeader)
        session.publish(MediaMessage(kind: .video, timestamp: 0, payload: video))
        if let audio { publishCopy(of: audio, allocator: allocator) }
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
}
