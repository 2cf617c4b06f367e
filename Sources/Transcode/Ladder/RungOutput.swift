import Media
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
    private var audioEncoder: AACTagEncoder?
    /// While sites are on stage: each one's mix-minus encoder (the same settings, so the same
    /// sequence header as `audioEncoder`).
    private var mixMinusEncoders: [String: AACTagEncoder] = [:]
    /// Frames the mix-minus encoders still take after the stage emptied: the program encoder's
    /// packets carry the mix that much longer (its delay), and so do theirs, each without its
    /// site's voice; the sites' players get those until the mix is out.
    private var mixMinusDrainFrames = 0
    static let encoderDelayFrames = 3
    private var watched = false
    private var videoWatched = false

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

    /// Whether players want this rung's pictures now (its audio is encoded while anyone plays
    /// it: ``isWatched``, which this updates too). A rung whose pictures nobody wanted starts
    /// again at a keyframe, with its stale cached pictures forgotten.
    func updateWatched() -> (watched: Bool, resumed: Bool, stopped: Bool) {
        let stream = session.stream
        let now = stream.subscriberCount > 0
        let video = now && stream.hasVideoSubscriber
        defer {
            watched = now
            videoWatched = video
        }
        if !video, videoWatched { session.discardCachedMedia() }
        return (video, video && !videoWatched, !video && videoWatched)
    }

    /// Whether anyone plays this rung (its audio is encoded).
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
    func resetAudio() {
        audioEncoder = nil
        mixMinusEncoders.removeAll()
        mixMinusDrainFrames = 0
    }

    /// Encodes one decoded source audio frame at this rung's audio bitrate; the encoder opens,
    /// and its sequence header is published, on first use.
    func encodeAudio(_ frame: MediaFrame, millis: Int64, source: SourceAudioDecoder, allocator: ByteBufferAllocator) throws(FFmpegError) {
        if !mixMinusEncoders.isEmpty {
            // The stage emptied: the mix-minus encoders take the teacher's frame (everyone's
            // mix-minus now) until the program encoder's packets no longer carry the mix.
            if mixMinusDrainFrames == 0 { mixMinusDrainFrames = Self.encoderDelayFrames }
            mixMinusDrainFrames -= 1
            let sites = Set(mixMinusEncoders.keys)
            try publishAudio(
                frame, mixMinus: Dictionary(uniqueKeysWithValues: sites.map { ($0, frame) }), stage: sites, millis: millis, source: source,
                allocator: allocator)
            if mixMinusDrainFrames == 0 { mixMinusEncoders.removeAll() }
            return
        }
        try openAudio(millis: millis, source: source, allocator: allocator).encode(frame, millis: millis, allocator: allocator) {
            session.publish($0)
        }
    }

    /// Encodes one frame of the class's program audio and the mix-minus of each on-stage site
    /// that plays this rung (in the source's format): each program packet goes out with the sites' packets of the same
    /// frame, which that site's players get in its place (``PublishSession/publish(_:mixMinus:stage:)``).
    func encodeAudio(_ mix: ProgramAudioMix, millis: Int64, source: SourceAudioDecoder, allocator: ByteBufferAllocator) throws(FFmpegError) {
        mixMinusDrainFrames = 0
        // Only for the sites whose players play this rung (an AAC encode costs 0.05 core).
        let played = mix.mixMinus.filter { session.stream.hasSubscriber(mixMinusSite: $0.key) }
        mixMinusEncoders = mixMinusEncoders.filter { played[$0.key] != nil }
        try publishAudio(mix.program, mixMinus: played, stage: Set(mix.mixMinus.keys), millis: millis, source: source, allocator: allocator)
    }

    /// Encodes a program frame and each site's mix-minus frame, and publishes each program
    /// packet with the sites' packets of the same position and the stage.
    private func publishAudio(
        _ programFrame: MediaFrame, mixMinus played: [String: MediaFrame], stage: Set<String>, millis: Int64, source: SourceAudioDecoder,
        allocator: ByteBufferAllocator
    ) throws(FFmpegError) {
        var program: [MediaMessage] = []
        try openAudio(millis: millis, source: source, allocator: allocator).encode(programFrame, millis: millis, allocator: allocator) {
            program.append($0)
        }
        var mixMinus: [String: [MediaMessage]] = [:]
        for (site, frame) in played {
            let encoder: AACTagEncoder
            if let open = mixMinusEncoders[site] {
                encoder = open
            } else {
                encoder = try AACTagEncoder(kbps: rendition.audioKbps, like: source)
                mixMinusEncoders[site] = encoder
            }
            try encoder.encode(frame, millis: millis, allocator: allocator) { mixMinus[site, default: []].append($0) }
        }
        // Paired by position: a site's encoder opened in this frame has no packet yet (its
        // players get no audio for that one, never the program with their own voice).
        for (index, message) in program.enumerated() {
            session.publish(message, mixMinus: mixMinus.compactMapValues { index < $0.count ? $0[index] : nil }, stage: stage)
        }
    }

    /// The rung's AAC encoder; opened, and its sequence header published, on first use.
    private func openAudio(millis: Int64, source: SourceAudioDecoder, allocator: ByteBufferAllocator) throws(FFmpegError) -> AACTagEncoder {
        if let audioEncoder { return audioEncoder }
        let encoder = try AACTagEncoder(kbps: rendition.audioKbps, like: source)
        audioEncoder = encoder
        var header = MediaMessage.allocatePayload(capacity: encoder.sequenceHeader.count, allocator: allocator)
        header.writeBytes(encoder.sequenceHeader)
        session.publish(MediaMessage(kind: .audio, timestamp: UInt32(clamping: max(0, millis)), payload: header))
        return encoder
    }
}
