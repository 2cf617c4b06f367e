/// Bounds on an SDP body the relay will read. An offer arrives over HTTP from anyone on the
/// internet, so the parser refuses anything bigger than a real browser would send long before
/// it allocates much; a Chromium offer with every codec and candidate is about 8 KiB.
enum SDPLimits {
    /// Largest body, in bytes (64 KiB).
    static let maxBytes = 64 * 1024
    /// Most lines (of any kind, blank ones included).
    static let maxLines = 1000
    /// Most m-lines (media sections).
    static let maxMediaSections = 16
    /// Longest `a=mid` value; browsers use one or two characters.
    static let maxMidLength = 64
}
