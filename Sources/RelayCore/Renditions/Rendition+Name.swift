extension Rendition {
    /// Splits a played name into the class and the pinned rendition: `c1_480p` → (`c1`, `480p`)
    /// when `480p` is a rung of `ladder`, `c1_source` → (`c1`, `source`), `c1` → (`c1`, nil).
    public static func split(name: String, ladder: Set<String>) -> (base: String, rendition: String?) {
        guard let underscore = name.lastIndex(of: "_") else { return (name, nil) }
        let suffix = String(name[name.index(after: underscore)...])
        let base = String(name[..<underscore])
        guard !base.isEmpty, suffix == "source" || ladder.contains(suffix) else { return (name, nil) }
        return (base, suffix)
    }
}
