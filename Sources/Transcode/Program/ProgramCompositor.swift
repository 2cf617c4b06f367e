import Media

/// Draws the program: each teacher picture with the on-stage sites' latest pictures composed in
/// (``ProgramLayout``), through a libavfilter graph, at the teacher's size. The teacher's pictures
/// drive the timing: one program picture per teacher picture, with its time; a site's picture is
/// reused until a newer one comes (a site that stops sending keeps its last picture). A change of
/// stage, layout or any input's size rebuilds the graph before the next teacher picture, so no
/// picture and no time is skipped. Owned by one thread (the class's media thread).
final class ProgramCompositor {
    private let timeBase: (num: Int32, den: Int32)
    private let frameRate: (num: Int32, den: Int32)
    private(set) var layout: ProgramLayout = .pip
    /// The on-stage sites, in stage order (at most ``maximumSites``).
    private(set) var sites: [String] = []
    private var pictures: [String: MediaFrame] = [:]
    private var graph: FilterGraph?
    /// What ``graph`` was built for, besides its inputs' shapes.
    private var graphLayout: ProgramLayout?
    private var graphSites: [Bool] = []
    private let output: MediaFrame
    /// How many graphs were built (the first, then one per change).
    private(set) var graphBuilds = 0
    /// Whether the latest ``compose(teacher:)`` drew with a new graph (a stage change shows
    /// there: the encoder should start a keyframe).
    private(set) var changedAtLastPicture = false

    static let maximumSites = 3

    /// Times of the teacher's pictures count in `timeBase` (milliseconds, as the decoders stamp
    /// them); `frameRate` is the teacher's.
    init(frameRate: (num: Int32, den: Int32), timeBase: (num: Int32, den: Int32) = (1, 1000)) throws(FFmpegError) {
        self.frameRate = frameRate
        self.timeBase = timeBase
        output = try MediaFrame()
    }

    /// Puts `sites` on stage (the first ``maximumSites``) in `layout`; pictures of sites that
    /// left are dropped. Takes effect at the next teacher picture.
    func setStage(_ sites: [String], layout: ProgramLayout) {
        self.sites = Array(sites.prefix(Self.maximumSites))
        self.layout = layout
        pictures = pictures.filter { self.sites.contains($0.key) }
    }

    /// Keeps a reference to `picture` as site `site`'s latest (ignored for a site not on stage).
    func update(site: String, picture: MediaFrame) throws(FFmpegError) {
        guard sites.contains(site) else { return }
        pictures[site] = try MediaFrame(referencing: picture)
    }

    /// The program picture for `teacher` (valid until the next call), stamped with its time.
    func compose(teacher: MediaFrame) throws(FFmpegError) -> MediaFrame {
        let pts = teacher.pts
        let staged = sites.map { pictures[$0] }
        let inputs = ([teacher] + staged.compactMap { $0 }).map {
            VideoFilterInput(shapeOf: $0, timeBase: timeBase, frameRate: frameRate)
        }
        changedAtLastPicture = false
        if graph?.inputs != inputs || graphLayout != layout || graphSites != staged.map({ $0 != nil }) {
            graph = nil
            let canvas = (teacher.width, teacher.height)
            let geometry = ProgramGeometry(
                layout: layout, canvas: canvas,
                sites: staged.map { $0.map { ($0.width, $0.height) } })
            let description = ProgramFilterDescription.make(geometry, layout: layout, sitesWithPicture: staged.map { $0 != nil })
            graph = try FilterGraph(inputs: inputs, description: description)
            graphLayout = layout
            graphSites = staged.map { $0 != nil }
            graphBuilds += 1
            changedAtLastPicture = graphBuilds > 1
        }
        guard let graph else { throw FFmpegError(code: FFmpegError.invalidArgumentCode, operation: "ProgramCompositor graph") }
        try graph.push(teacher, into: 0)
        for (index, picture) in staged.compactMap({ $0 }).enumerated() {
            picture.pts = pts
            try graph.push(picture, into: index + 1)
        }
        guard try graph.pull(into: output) else {
            throw FFmpegError(code: FFmpegError.tryAgainCode, operation: "ProgramCompositor: the graph held the picture")
        }
        output.pts = pts
        return output
    }
}
