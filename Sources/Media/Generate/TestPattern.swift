/// Draws the test picture into YUV 4:2:0 planes: 75% colour bars with a moving box, a
/// scrolling luma ramp below them, and a burnt-in clock in a 7-segment font.
///
/// Pure Swift on raw plane pointers; the static bars are rendered once and copied per frame.
struct TestPattern {
    let width: Int
    let height: Int
    /// The bars, pre-rendered: Y (width×barsHeight), U and V (width/2×barsHeight/2).
    private let barsY: [UInt8]
    private let barsU: [UInt8]
    private let barsV: [UInt8]
    private let barsHeight: Int

    /// BT.601 limited-range 75% bars: white, yellow, cyan, green, magenta, red, blue.
    static let bars: [(y: UInt8, u: UInt8, v: UInt8)] = [
        (180, 128, 128), (162, 44, 142), (131, 156, 44), (112, 72, 58), (84, 184, 198), (65, 100, 212), (35, 212, 114),
    ]

    init(width: Int, height: Int) {
        precondition(width >= 16 && height >= 16 && width % 2 == 0 && height % 2 == 0)
        self.width = width
        self.height = height
        barsHeight = (height * 2 / 3) & ~1
        let chromaWidth = width / 2
        var y = [UInt8](repeating: 0, count: width * barsHeight)
        var u = [UInt8](repeating: 128, count: chromaWidth * barsHeight / 2)
        var v = [UInt8](repeating: 128, count: chromaWidth * barsHeight / 2)
        for x in 0..<width {
            let bar = Self.bars[min(x * Self.bars.count / width, Self.bars.count - 1)]
            for row in 0..<barsHeight { y[row * width + x] = bar.y }
            if x % 2 == 0 {
                for row in 0..<barsHeight / 2 {
                    u[row * chromaWidth + x / 2] = bar.u
                    v[row * chromaWidth + x / 2] = bar.v
                }
            }
        }
        barsY = y
        barsU = u
        barsV = v
    }

    typealias Plane = (base: UnsafeMutablePointer<UInt8>, stride: Int)

    /// Draws frame number `frame` (at `fps`) with `clock` (e.g. `12:34:56.789`) burnt in.
    func draw(y: Plane, u: Plane, v: Plane, frame: Int, fps: Int, clock: String) {
        let chromaWidth = width / 2
        // Bars.
        barsY.withUnsafeBufferPointer { source in
            for row in 0..<barsHeight {
                (y.base + row * y.stride).update(from: source.baseAddress! + row * width, count: width)
            }
        }
        barsU.withUnsafeBufferPointer { source in
            for row in 0..<barsHeight / 2 {
                (u.base + row * u.stride).update(from: source.baseAddress! + row * chromaWidth, count: chromaWidth)
            }
        }
        barsV.withUnsafeBufferPointer { source in
            for row in 0..<barsHeight / 2 {
                (v.base + row * v.stride).update(from: source.baseAddress! + row * chromaWidth, count: chromaWidth)
            }
        }
        // A luma ramp scrolling left by one screen width every 4 seconds, neutral chroma.
        let offset = frame * width / max(fps * 4, 1)
        var ramp = [UInt8](repeating: 0, count: width)
        for x in 0..<width { ramp[x] = UInt8(16 + ((x + offset) % width) * 219 / width) }
        ramp.withUnsafeBufferPointer { source in
            for row in barsHeight..<height { (y.base + row * y.stride).update(from: source.baseAddress!, count: width) }
        }
        for row in barsHeight / 2..<height / 2 {
            (u.base + row * u.stride).update(repeating: 128, count: chromaWidth)
            (v.base + row * v.stride).update(repeating: 128, count: chromaWidth)
        }
        // A white box crossing the bars every 4 seconds.
        let box = (height / 10) & ~1
        let travel = max(width - box, 1)
        let position = (frame * 2 * travel / max(fps * 4, 1)) % (2 * travel)
        let boxX = (position < travel ? position : 2 * travel - position) & ~1
        fill(y: y, u: u, v: v, x: boxX, top: barsHeight / 4, w: box, h: box, luma: 235)

        // The clock on a black panel, centred on the boundary between bars and ramp.
        let digitHeight = max((height / 8) & ~1, 10)
        let advance = digitHeight * 5 / 8
        let glyphs = Array(clock)
        let textWidth = glyphs.reduce(0) { $0 + (($1 == ":" || $1 == ".") ? advance / 2 : advance) }
        let margin = digitHeight / 4
        let panelW = min((textWidth + 2 * margin + 1) & ~1, width)
        let panelH = (digitHeight + 2 * margin + 1) & ~1
        let panelX = ((width - panelW) / 2) & ~1
        let panelY = max(((barsHeight - panelH / 2) & ~1), 0)
        fill(y: y, u: u, v: v, x: panelX, top: min(panelY, height - panelH), w: panelW, h: panelH, luma: 16)
        var cursor = panelX + margin
        let top = min(panelY, height - panelH) + margin
        for glyph in glyphs {
            if glyph == ":" || glyph == "." {
                drawPunctuation(glyph, plane: y, x: cursor, top: top, height: digitHeight, width: advance / 2)
                cursor += advance / 2
            } else {
                if let digit = glyph.wholeNumberValue {
                    drawDigit(digit, plane: y, x: cursor, top: top, height: digitHeight, width: advance * 4 / 5)
                }
                cursor += advance
            }
        }
    }

    /// Segment bits a..g for 0...9.
    static let segments: [UInt8] = [0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F]

    private func drawDigit(_ digit: Int, plane: Plane, x: Int, top: Int, height h: Int, width w: Int) {
        let t = max(h / 9, 2)
        let half = h / 2
        let bits = Self.segments[digit]
        let rects: [(Int, Int, Int, Int)] = [
            (t, 0, w - 2 * t, t),  // a
            (w - t, t, t, half - t),  // b
            (w - t, half, t, half - t),  // c
            (t, h - t, w - 2 * t, t),  // d
            (0, half, t, half - t),  // e
            (0, t, t, half - t),  // f
            (t, half - t / 2, w - 2 * t, t),  // g
        ]
        for (index, rect) in rects.enumerated() where bits & (1 << index) != 0 {
            fillLuma(plane, x: x + rect.0, top: top + rect.1, w: rect.2, h: rect.3, value: 235)
        }
    }

    private func drawPunctuation(_ glyph: Character, plane: Plane, x: Int, top: Int, height h: Int, width w: Int) {
        let t = max(h / 9, 2)
        let left = x + (w - t) / 2
        if glyph == ":" {
            fillLuma(plane, x: left, top: top + h / 3 - t / 2, w: t, h: t, value: 235)
            fillLuma(plane, x: left, top: top + 2 * h / 3 - t / 2, w: t, h: t, value: 235)
        } else {
            fillLuma(plane, x: left, top: top + h - t, w: t, h: t, value: 235)
        }
    }

    /// Fills a rectangle (clipped) in the luma plane only.
    private func fillLuma(_ plane: Plane, x: Int, top: Int, w: Int, h: Int, value: UInt8) {
        let x0 = max(x, 0), x1 = min(x + w, width)
        let y0 = max(top, 0), y1 = min(top + h, height)
        guard x1 > x0, y1 > y0 else { return }
        for row in y0..<y1 { (plane.base + row * plane.stride + x0).update(repeating: value, count: x1 - x0) }
    }

    /// Fills a grey rectangle (even coordinates) in all three planes.
    private func fill(y: Plane, u: Plane, v: Plane, x: Int, top: Int, w: Int, h: Int, luma: UInt8) {
        fillLuma(y, x: x, top: top, w: w, h: h, value: luma)
        let x0 = max(x / 2, 0), x1 = min((x + w) / 2, width / 2)
        let y0 = max(top / 2, 0), y1 = min((top + h) / 2, height / 2)
        guard x1 > x0, y1 > y0 else { return }
        for row in y0..<y1 {
            (u.base + row * u.stride + x0).update(repeating: 128, count: x1 - x0)
            (v.base + row * v.stride + x0).update(repeating: 128, count: x1 - x0)
        }
    }
}
