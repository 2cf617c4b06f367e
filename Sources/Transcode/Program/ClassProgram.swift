import Logging
import Media
import RelayCore

/// A class's program on its transcoder's thread: follows the class's stage
/// (``ProgramStageBoard``), subscribes to each on-stage site's return feed and composes every
/// teacher picture with theirs (``ProgramCompositor``), and every teacher audio frame with
/// their audio (``ProgramAudioMixer``, at the teacher's rate and channels: the mix and each
/// site's mix-minus). With the stage empty it hands the teacher's picture and audio back
/// untouched, decodes nothing and holds no subscription.
final class ClassProgram {
    private let classId: String
    private let registry: StreamRegistry
    private let board: ProgramStageBoard
    private let logger: Logger
    private var stage = ProgramStage.empty
    private var feeds: [ProgramSiteFeed] = []
    private var compositor: ProgramCompositor?
    private var mixer: ProgramAudioMixer?
    /// The teacher's frame rate at the last picture (for a compositor the audio's stage change opens).
    private var fps: Double = 0
    /// The stage changed since the last picture: the rungs start a keyframe there.
    private var changed = false
    private var errors = 0

    init(classId: String, registry: StreamRegistry, board: ProgramStageBoard, logger: Logger) {
        self.classId = classId
        self.registry = registry
        self.board = board
        self.logger = logger
    }

    /// The picture to encode for `teacher` (the program while the stage is not empty), and
    /// whether the rungs should start a keyframe with it (the stage or the composition changed).
    func picture(for teacher: MediaFrame, fps: Double) -> (picture: MediaFrame, keyframe: Bool) {
        self.fps = fps
        follow(board.stage(classId), fps: fps)
        let keyframe = changed
        changed = false
        guard !stage.sites.isEmpty, let compositor else { return (teacher, keyframe) }
        do {
            try drainFeeds()
            let program = try compositor.compose(teacher: teacher)
            return (program, keyframe || compositor.changedAtLastPicture)
        } catch {
            errors += 1
            if errors <= 5 { logger.error("program: composing failed", metadata: ["class": "\(classId)", "error": "\(error)"]) }
            return (teacher, keyframe)
        }
    }

    /// The program's audio for one decoded teacher frame (nil with the stage empty, or when it
    /// cannot be mixed: the teacher's frame then goes out as it is).
    func audio(for teacher: MediaFrame) -> ProgramAudioMix? {
        follow(board.stage(classId), fps: fps)
        guard !stage.sites.isEmpty else { return nil }
        let (rate, channels) = (teacher.sampleRate, teacher.channelCount)
        do {
            if mixer?.rate != rate || mixer?.channels != channels {
                mixer = try ProgramAudioMixer(rate: rate, channels: channels)
                mixer?.setStage(stage.sites)
            }
            try drainFeeds()
            return try mixer?.mix(teacher: teacher)
        } catch {
            errors += 1
            if errors <= 5 { logger.error("program: mixing failed", metadata: ["class": "\(classId)", "error": "\(error)"]) }
            return nil
        }
    }

    /// Decodes what the on-stage sites sent since the last call: pictures to the compositor,
    /// audio to the mixer.
    private func drainFeeds() throws(FFmpegError) {
        for feed in feeds {
            try feed.drain(
                picture: { picture throws(FFmpegError) in try compositor?.update(site: feed.site, picture: picture) },
                audio: { frame throws(FFmpegError) in try mixer?.add(site: feed.site, frame: frame) })
        }
    }

    /// Whether the class's stage has sites now (read from the board, not yet followed).
    var stageIsSet: Bool { !board.stage(classId).sites.isEmpty }

    /// Unsubscribes from every site (the transcoder stops).
    func finish() {
        for feed in feeds { feed.stop() }
        feeds.removeAll()
    }

    private func follow(_ new: ProgramStage, fps: Double) {
        guard new != stage else { return }
        stage = new
        changed = true
        for feed in feeds where !new.sites.contains(feed.site) { feed.stop() }
        feeds.removeAll { !new.sites.contains($0.site) }
        for site in new.sites where !feeds.contains(where: { $0.site == site }) {
            feeds.append(ProgramSiteFeed(classId: classId, site: site, registry: registry))
        }
        mixer?.setStage(new.sites)
        logger.info("program stage", metadata: ["class": "\(classId)", "sites": "\(new.sites.joined(separator: ","))", "layout": "\(new.layout)"])
        guard !new.sites.isEmpty else { return }
        if compositor == nil {
            let rate = Int32((fps > 0 ? fps : 25).rounded())
            do { compositor = try ProgramCompositor(frameRate: (rate, 1)) } catch {
                logger.error("program: no compositor", metadata: ["class": "\(classId)", "error": "\(error)"])
            }
        }
        compositor?.setStage(new.sites, layout: ProgramLayout(rawValue: new.layout) ?? .pip)
    }
}
