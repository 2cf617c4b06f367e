/// The `a=setup` attribute (RFC 4145, RFC 8842): who opens the DTLS handshake. `active` is the
/// DTLS client, `passive` the DTLS server; an offer says `actpass` and the answer picks.
public enum DTLSSetupRole: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case active
    case passive
    case actpass
    case holdconn

    init?(attribute: some StringProtocol) {
        self.init(rawValue: attribute.lowercased())
    }

    public var description: String { rawValue }
}
