/// Which end of the DTLS handshake we are. It also decides the SRTP key directions: the server
/// sends with the server's key and salt and receives with the client's (RFC 5764 4.2).
///
/// The SFU is the server for browsers (it answers `a=setup:passive`); the load generator and the
/// tests play the client.
enum DTLSRole: Sendable, Hashable {
    case server
    case client

    /// The other end's role.
    var peer: DTLSRole {
        switch self {
        case .server: .client
        case .client: .server
        }
    }
}
