import HTTPSurface
import Logging
import Media
import NIOCore
import RTMP
import RelayCore
import Transcode

/// The media core: the stream registry (RTMP-framed packets, one copy for every player), the
/// renditions directory, the classes' stages and the transcoders that make rungs and programs.
struct NodeMedia {
    let registry: StreamRegistry
    let renditions: RenditionDirectory
    /// Each class's stage, as its transcoder composes the program from it.
    let stages: ProgramStageBoard
    let transcoders: TranscoderPool

    init(_ configuration: RelaydConfiguration, group: any EventLoopGroup) {
        let chunkSize = configuration.rtmpChunkSize
        registry = StreamRegistry(
            configuration: .init(publisherGrace: .seconds(Int64(configuration.publisherGraceSeconds))),
            timerLoop: group.next(),
            makeFramer: {
                let framer = RTMPSegmentFramer(chunkSize: chunkSize)
                return { framer.frame(&$0) }
            },
            logger: Logger(label: "relay.streams")
        )
        renditions = RenditionDirectory(
            ladderNames: configuration.transcodeEnabled ? Set(configuration.transcodeLadder.map(\.name)) : [],
            observer: { RelayMetrics.record($0) }
        )
        stages = ProgramStageBoard()
        transcoders = TranscoderPool(
            registry: registry, directory: renditions, settings: configuration.transcodeSettings,
            logger: Logger(label: "relay.transcode"), stages: stages
        )
        transcoders.install()
    }
}
