/// A rectangle of the program's picture, in pixels from its top left corner.
struct ProgramRect: Equatable, Sendable, CustomStringConvertible {
    var x: Int
    var y: Int
    var width: Int
    var height: Int

    var description: String { "\(width)x\(height)+\(x)+\(y)" }

    /// Whether the point is inside.
    func contains(x px: Int, y py: Int) -> Bool {
        px >= x && px < x + width && py >= y && py < y + height
    }
}
