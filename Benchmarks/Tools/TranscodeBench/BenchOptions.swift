/// TranscodeBench's command line: the source file, the x264 preset and the levers to measure.
struct BenchOptions {
    var source = ""
    var preset = "veryfast"
    /// Rungs of the default ladder to make (nil: all).
    var rungs: Set<String>?
    var rungPresets: [String: String] = [:]
    var threads = 0
    var sourceServesItsSize = false
    var outputDirectory: String?

    init?(_ arguments: [String]) {
        var positional: [String] = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--rungs": rungs = rest.popFirst().map { Set($0.split(separator: ",").map(String.init)) }
            case "--rung-preset":
                let pair = rest.popFirst()?.split(separator: "=").map(String.init) ?? []
                guard pair.count == 2 else { return nil }
                rungPresets[pair[0]] = pair[1]
            case "--threads":
                guard let n = rest.popFirst().flatMap({ Int($0) }) else { return nil }
                threads = n
            case "--out": outputDirectory = rest.popFirst()
            case "--source-serves-its-size": sourceServesItsSize = true
            default: positional.append(argument)
            }
        }
        guard let source = positional.first else { return nil }
        self.source = source
        if positional.count > 1 { preset = positional[1] }
    }
}
