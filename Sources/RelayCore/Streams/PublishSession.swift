/// A publisher's hold on a stream, returned by ``StreamRegistry/attachPublisher(_:to:)``.
///
/// Messages from a session that was taken over are ignored, so a half-dead old publisher can
/// never interleave with the new one.
public final class PublishSession: Sendable {
    public let stream: LiveStream
    let generation: UInt64
    let registry: StreamRegistry

    init(stream: LiveStream, generation: UInt64, registry: StreamRegistry) {
        self.stream = stream
        self.generation = generation
        self.registry = registry
    }

    /// Fans `message` out to every subscriber of the stream.
    @inline(__always)
    public func publish(_ message: MediaMessage) {
        stream.publish(message, generation: generation)
    }

    /// Fans `message` (the class's program audio) out, except to the players of a site in
    /// `mixMinus`, which get that site's message instead (the same time and codec configuration:
    /// the program without the site's own voice), and to the players of the other sites on
    /// `stage`, which get nothing until their site's message comes (see ``MixMinusReplay``).
    /// Each alternative is framed once, like `message`.
    public func publish(_ message: MediaMessage, mixMinus: [String: MediaMessage], stage: Set<String>) {
        stream.publish(message, generation: generation, mixMinus: mixMinus, stage: stage)
    }

    /// Records the publisher's video description (for the live view).
    public func setVideoInfo(_ info: VideoInfo) {
        stream.setVideoInfo(info, generation: generation)
    }

    /// Forgets the cached group of pictures, so the next player starts at the next keyframe
    /// (a transcoder resuming a rung nobody watched).
    public func discardCachedMedia() {
        stream.state.withLockedValue { state in
            if state.generation == generation { state.gop.reset() }
        }
    }

    /// The publisher left (or was closed): players wait for the grace period.
    public func end() {
        registry.publisherEnded(stream: stream, generation: generation)
    }
}
