import NIOCore
import RelayCore

/// Which picture a viewer gets: a pinned rung or the source, or (the plain class name) the rung
/// its site's bandwidth and its link's RTCP feedback choose.
struct PlaybackChoice {
    /// The rung played now (`source` for the source stream).
    var playing: String
    /// Where the viewer is moving to, until that feed's next keyframe.
    var pending: String?
    /// The plain name: the relay chooses and changes the rung.
    let adaptive: Bool
    var selector: RenditionSelector?
    var pressure = WebRTCLinkPressure()
    /// The feed whose sound the viewer hears (the source's, or while its class's stage is not
    /// empty the program's or its site's mix-minus), and the one it moves to at that feed's next
    /// audio frame.
    var audioFeed: FeedKey?
    var audioPending: FeedKey?

    /// The feed a rung name plays.
    func feedKey(for rendition: String, source: StreamKey) -> StreamKey {
        Rendition.playedKey(source: source, rendition: rendition)
    }
}
