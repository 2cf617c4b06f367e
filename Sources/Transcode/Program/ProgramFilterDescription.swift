/// The libavfilter description that draws a ``ProgramGeometry``: input `[in0]` is the teacher,
/// `[in1]`… the sites that have a picture (in stage order), `[out]` the program in YUV 4:2:0.
/// Every input is made limited-range 4:2:0 before it is drawn (a full-range teacher, as some
/// browsers send, would otherwise take the sites' pixels as full range).
enum ProgramFilterDescription {
    /// `sitesWithPicture[i]` tells whether stage site `i` has an input; those without are left out
    /// (their place shows the teacher, or black in `side-by-side`).
    static func make(_ geometry: ProgramGeometry, layout: ProgramLayout, sitesWithPicture: [Bool]) -> String {
        var chains: [String] = []
        if layout == .sideBySide {
            let t = geometry.teacher
            chains.append(
                "[in0]\(scale(t)),pad=\(geometry.canvas.width):\(geometry.canvas.height):\(t.x):\(t.y):color=black[v0]")
        } else {
            chains.append("[in0]format=yuv420p[v0]")
        }
        var base = "v0"
        var input = 0
        for (index, rect) in geometry.sites.enumerated() where index < sitesWithPicture.count && sitesWithPicture[index] {
            input += 1
            chains.append("[in\(input)]\(scale(rect))[s\(input)]")
            chains.append("[\(base)][s\(input)]overlay=x=\(rect.x):y=\(rect.y):eof_action=repeat:format=yuv420[v\(input)]")
            base = "v\(input)"
        }
        chains.append("[\(base)]format=yuv420p[out]")
        return chains.joined(separator: ";")
    }

    private static func scale(_ rect: ProgramRect) -> String {
        "scale=\(rect.width):\(rect.height):flags=bilinear,format=yuv420p"
    }
}
