import Media
import RelayCore

/// The class's program at the source's size, for the players of the plain name who would get
/// the source (no rung fits it, their link picks it, or transcoding is off): published on
/// `live/<classId>_program` while the stage is not empty (``RenditionDirectory/isProgramOnAir(_:)``
/// moves those players to it and back), encoded only while someone plays it. Owned by the
/// class's transcoder thread.
final class SourceSizeProgram {
    let key: StreamKey
    private let source: StreamKey
    private let registry: StreamRegistry
    private let directory: RenditionDirectory
    private let settings: TranscodeSettings
    private var session: PublishSession?
    private var output: RungOutput?
    private(set) var isOnAir = false
    /// Keyframes still to start after the first player joined: the program comes a picture or
    /// two after the source, and a player moving to it switches at its first keyframe not older
    /// than what it already has (``RenditionSwitcher``): one of the next few is.
    private var joinKeyframes = 0
    static let keyframesAtJoin = 3

    init(source: StreamKey, registry: StreamRegistry, directory: RenditionDirectory, settings: TranscodeSettings) {
        self.source = source
        self.key = Rendition.streamKey(source: source, rendition: Rendition.programName)
        self.registry = registry
        self.directory = directory
        self.settings = settings
    }

    /// Follows the stage (`stageIsSet`); returns whether the transcoder must decode the teacher's
    /// pictures for it (on the air, or players still on it until they move back to the source).
    func follow(stageIsSet: Bool) -> Bool {
        if stageIsSet != isOnAir {
            if stageIsSet, session == nil {
                session = registry.attachPublisher(RungPublisher(key: key), to: key, info: PublisherInfo(transport: .rtmp))
            }
            isOnAir = stageIsSet
            directory.setProgramOnAir(stageIsSet, for: source)
        }
        return isOnAir || (session?.stream.subscriberCount ?? 0) > 0
    }

    /// The output to encode the program into, at `width`×`height` (a new encoder when the
    /// source's size changed) at about the source's `videoKbps`; nil before the first stage.
    func output(width: Int, height: Int, videoKbps: Int, fps: Double) -> RungOutput? {
        guard let session else { return nil }
        if let output, output.rendition.width == width, output.rendition.height == height { return output }
        let rendition = Rendition(
            name: Rendition.programName, width: width, height: height, videoKbps: max(videoKbps, 300), audioKbps: 64)
        session.setVideoInfo(VideoInfo(codec: "h264", width: width, height: height, fps: fps))
        output = RungOutput(rendition: rendition, fps: fps, settings: settings, session: session)
        return output
    }

    /// Whether `output` (if it is this program's) should start a keyframe at this picture: the
    /// first few after it became watched (`resumed`).
    func startsKeyframe(_ output: RungOutput, resumed: Bool) -> Bool {
        guard output === self.output else { return false }
        if resumed { joinKeyframes = Self.keyframesAtJoin }
        guard joinKeyframes > 0 else { return false }
        joinKeyframes -= 1
        return true
    }

    /// The output while someone plays it (for audio).
    var watchedOutput: RungOutput? { output.flatMap { $0.isWatched ? $0 : nil } }

    /// Off the air, its stream ended (the transcoder stops).
    func finish() {
        if isOnAir { directory.setProgramOnAir(false, for: source) }
        isOnAir = false
        session?.end()
        session = nil
        output = nil
    }
}
