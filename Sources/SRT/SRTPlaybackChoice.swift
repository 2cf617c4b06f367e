import NIOCore
import RelayCore

/// Which stream an admitted SRT player is given: the source (`_source`, or no transcoding), a
/// pinned rung (`r=live/<classId>_480p`), or for the adaptive stream the highest rung whose total
/// bitrate × 1.2 fits the site's bandwidth (``RenditionSelector``).
///
/// An SRT player keeps the rung it was given: its MPEG-TS is one continuous muxer output, so it
/// does not switch rungs mid-connection as an RTMP player does. Before the class's transcoder
/// has produced its rungs (the first seconds of a lesson) an adaptive player gets the source.
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
            guard let renditions, let bandwidth = grant.bandwidthKbps else { return source }
            let rungs = renditions.renditions(for: streamID.stream)
            guard !rungs.isEmpty else { return source }
            let rung = RenditionSelector(rungs: rungs, bandwidthKbps: bandwidth, now: .now()).current
            return SRTPlaybackChoice(stream: Rendition.streamKey(source: streamID.stream, rendition: rung.name), rendition: rung.name)
        }
    }
}
