/// Where each picture of the program goes, from the layout and the pictures' sizes alone (no
/// FFmpeg): the plan the compositor's filter graph is written from. Every size and offset is
/// even (4:2:0 chroma).
struct ProgramGeometry: Equatable, Sendable {
    /// The program's size: the teacher's picture.
    let canvas: (width: Int, height: Int)
    /// Where the teacher's picture goes (the whole canvas in `pip`).
    let teacher: ProgramRect
    /// Where each on-stage site's picture goes, in stage order.
    let sites: [ProgramRect]

    /// The plan for `layout` on a `canvas`-sized teacher picture, with sites of the given sizes
    /// (nil: no picture yet; the canvas's aspect is assumed so places do not move when it comes).
    init(layout: ProgramLayout, canvas: (width: Int, height: Int), sites siteSizes: [(width: Int, height: Int)?]) {
        self.canvas = canvas
        let sizes = siteSizes.map { $0 ?? canvas }
        switch layout {
        case .pip:
            teacher = ProgramRect(x: 0, y: 0, width: canvas.width, height: canvas.height)
            sites = Self.pip(canvas: canvas, sites: sizes)
        case .sideBySide:
            let panes = Self.panes(canvas: canvas, count: 1 + sizes.count)
            teacher = Self.fit(canvas, into: panes[0])
            sites = zip(sizes, panes.dropFirst()).map { Self.fit($0, into: $1) }
        }
    }

    static func == (a: ProgramGeometry, b: ProgramGeometry) -> Bool {
        a.canvas == b.canvas && a.teacher == b.teacher && a.sites == b.sites
    }

    /// The gap between insets and from the canvas's edges: 1/64 of the width.
    static func margin(canvasWidth: Int) -> Int { even(max(2, canvasWidth / 64)) }

    /// Insets at a quarter of the width (their own aspect), bottom right, the first lowest,
    /// each above the previous; all made smaller alike when the stack would not fit.
    private static func pip(canvas: (width: Int, height: Int), sites: [(width: Int, height: Int)]) -> [ProgramRect] {
        guard !sites.isEmpty else { return [] }
        let margin = Self.margin(canvasWidth: canvas.width)
        let width = even(canvas.width / 4)
        var heights = sites.map { even(width * $0.height / max($0.width, 1)) }
        let room = canvas.height - margin * (sites.count + 1)
        let needed = heights.reduce(0, +)
        if needed > room { heights = heights.map { even($0 * room / needed) } }
        var bottom = canvas.height - margin
        return zip(sites, heights).map { site, height in
            let w = even(height * site.width / max(site.height, 1))
            let rect = ProgramRect(x: canvas.width - margin - min(w, width), y: bottom - height, width: min(w, width), height: height)
            bottom = rect.y - margin
            return rect
        }
    }

    /// Two pictures: halves side by side; three or four: a 2×2 grid (the teacher top left).
    private static func panes(canvas: (width: Int, height: Int), count: Int) -> [ProgramRect] {
        switch count {
        case 1: return [ProgramRect(x: 0, y: 0, width: canvas.width, height: canvas.height)]
        case 2:
            let w = even(canvas.width / 2)
            return [ProgramRect(x: 0, y: 0, width: w, height: canvas.height), ProgramRect(x: w, y: 0, width: w, height: canvas.height)]
        default:
            let w = even(canvas.width / 2)
            let h = even(canvas.height / 2)
            return (0..<count).map { ProgramRect(x: ($0 % 2) * w, y: ($0 / 2) * h, width: w, height: h) }
        }
    }

    /// The largest rectangle of `size`'s aspect inside `pane`, centred (letterboxed).
    static func fit(_ size: (width: Int, height: Int), into pane: ProgramRect) -> ProgramRect {
        let (w, h): (Int, Int)
        if size.width * pane.height >= size.height * pane.width {
            w = even(pane.width)
            h = even(pane.width * size.height / max(size.width, 1))
        } else {
            h = even(pane.height)
            w = even(pane.height * size.width / max(size.height, 1))
        }
        return ProgramRect(x: pane.x + ((pane.width - w) / 2) & ~1, y: pane.y + ((pane.height - h) / 2) & ~1, width: w, height: h)
    }

    /// A size rounded down to even, at least 2.
    private static func even(_ value: Int) -> Int { max(2, value & ~1) }
}
