import Logging
import RelayCore

/// A class's program on its transcoder's thread: follows the class's stage
/// (``ProgramStageBoard``), subscribes to each on-stage site's return feed and composes every
/// teacher picture with theirs (``ProgramCompositor``). With the stage empty it hands the
/// teacher's picture back untouched and holds no subscription.
final class ClassProgram {
    private let classId: String
    private let registry: StreamRegistry
    private let board: ProgramStageBoard
    private let logger: Logger
    private var stage = ProgramStage.empty
    private var feeds: [ProgramSiteFeed] = []
    private var compositor: ProgramCompositor?
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
        follow(board.stage(classId), fps: fps)
        let keyframe = changed
        changed = false
        guard !stage.sites.isEmpty, let compositor else { return (teacher, keyframe) }
        do {
            for feed in feeds {
                try feed.drain { picture throws(FFmpegError) in try compositor.update(site: feed.site, picture: picture) }
            }
            let program = try compositor.compose(teacher: teacher)
            return (program, keyframe || compositor.changedAtLastPicture)
        } catch {
            errors += 1
            if errors <= 5 { logger.error("program: composing failed", metadata: ["class": "\(classId)", "error": "\(error)"]) }
            return (teacher, keyframe)
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
