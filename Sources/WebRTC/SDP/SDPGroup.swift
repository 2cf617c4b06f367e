/// An `a=group:<semantics> <mid> …` attribute (RFC 5888), e.g. `a=group:BUNDLE 0 1`.
struct SDPGroup: Hashable, Sendable {
    var semantics: String
    var mids: [String]

    /// Whether this is a BUNDLE group (RFC 8843).
    var isBundle: Bool { semantics.uppercased() == "BUNDLE" }
}
