/// An `a=ssrc:<ssrc> <attribute>[:<value>]` line (RFC 5576), e.g. `a=ssrc:1 cname:abc`.
struct SSRCAttribute: Hashable, Sendable {
    var ssrc: UInt32
    /// `cname`, `msid`, … as written, lowercased.
    var attribute: String
    var value: String?
}

/// An `a=ssrc-group:<semantics> <ssrc> …` line, e.g. `FID <media> <rtx>` pairs a stream with
/// its retransmission stream.
struct SSRCGroup: Hashable, Sendable {
    var semantics: String
    var ssrcs: [UInt32]
}
