/// The USERNAME of an ICE connectivity check, "<localUfrag>:<remoteUfrag>" seen from the
/// agent receiving it (RFC 8445 section 7.2.2): the receiver's own ufrag first, then the
/// sender's. When a browser checks the relay, `localUfrag` is the relay's.
public struct ICEUsername: Hashable, Sendable, CustomStringConvertible {
    /// The ufrag of the agent the check is sent to.
    public let localUfrag: String
    /// The ufrag of the agent that sent the check.
    public let remoteUfrag: String

    public init(localUfrag: String, remoteUfrag: String) {
        self.localUfrag = localUfrag
        self.remoteUfrag = remoteUfrag
    }

    /// Splits a STUN USERNAME at its colon; nil unless it is exactly two non-empty runs of
    /// `ice-char`s (at most 256 each) around one colon.
    public init?(stunUsername: String) {
        let parts = stunUsername.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 2,
            ICECredentials.isICEString(parts[0]),
            ICECredentials.isICEString(parts[1])
        else { return nil }
        self.init(localUfrag: String(parts[0]), remoteUfrag: String(parts[1]))
    }

    /// The USERNAME attribute's text.
    public var stunUsername: String { "\(localUfrag):\(remoteUfrag)" }

    public var description: String { stunUsername }
}
