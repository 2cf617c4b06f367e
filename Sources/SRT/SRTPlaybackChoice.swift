import NIOCore
import RelayCore

/// Which stream an admitted SRT player is given: a pinned rung (`r=live/<classId>_480p`), or
/// the source (`_source`, or the plain name: adaptive SRT playback is not built yet).
struct SRTPlaybackChoice: Sendable, Equatable {
    let stream: StreamKey
    let rendition: String

    static func choose(for streamID: SRTStreamID, grant: AccessGrant, renditions: RenditionDirectory?) -> SRTPlaybackChoice {
        let source = SRTPlaybackChoice(stream: streamID.stream, rendition: "source")
        switch streamID.rendition {
        case "source":
            return source
        case let rung?:
            return SRTPlaybackChoice(stream: Rendition.streamKey(source: streamID.stream, rendition: rung), rendition: rung)
        case nil:
            // Adaptive SRT playback (a rung chosen from the site's bandwidth and switched on SRT's
            // link statistics) is not built yet: the plain name plays the source.
            return source
        }
    }
}
