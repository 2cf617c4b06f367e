import Media
import RelayCore

/// One on-stage site's return feed as the class's transcoder takes it: subscribed like a
/// player (the stream hands over its headers and GOP), queued without blocking the site's
/// publisher, and decoded on the transcoder's thread when it asks (``drain(_:)``).
final class ProgramSiteFeed: StreamSubscriber, @unchecked Sendable {
    let site: String
    private let registry: StreamRegistry
    private let inbox = MediaInbox(maxVideoFrames: 60)
    /// Touched only by the transcoder's thread.
    private let decoder = ProgramFeedDecoder()
    private let audioDecoder = ProgramFeedAudioDecoder()
    private var stream: LiveStream?

    init(classId: String, site: String, registry: StreamRegistry) {
        self.site = site
        self.registry = registry
        stream = registry.attachSubscriber(self, to: ReturnFeedName(classId: classId, siteId: site).streamKey)
    }

    /// Called under the return feed's lock: queue and return.
    func enqueue(_ item: StreamItem, streamHasVideo: Bool) {
        inbox.push(item)
    }

    /// Decodes what arrived since the last call; `picture` gets each decoded picture, `audio`
    /// each decoded audio frame.
    func drain(
        picture: (MediaFrame) throws(FFmpegError) -> Void, audio: (MediaFrame) throws(FFmpegError) -> Void
    ) throws(FFmpegError) {
        while let item = inbox.popIfAny() {
            switch item {
            case .event(.publisherStarted): decoder.restart()
            case .event: break
            case .media(let message) where message.kind == .audio: audioDecoder.decode(message, audio: audio)
            case .media(let message): try decoder.decode(message, picture: picture)
            }
        }
    }

    /// Unsubscribes (the site left the stage, or the transcoder stops).
    func stop() {
        if let stream { registry.detachSubscriber(self, from: stream) }
        stream = nil
        inbox.close()
    }
}
