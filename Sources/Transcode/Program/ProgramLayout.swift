/// How the program places the on-stage sites' pictures into the teacher's (the stage's
/// `layout`, as the REST API spells it).
public enum ProgramLayout: String, Sendable, CaseIterable {
    /// Each site inset at a quarter of the width, bottom right, stacked upwards.
    case pip
    /// Teacher and sites side by side (two in a row, three or four in a 2×2 grid), letterboxed.
    case sideBySide = "side-by-side"
}
