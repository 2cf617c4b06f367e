/// Which way media flows for the relay in a negotiation.
enum NegotiationRole: Hashable, Sendable {
    /// WHEP playback: the browser offers recvonly (or sendrecv), the relay answers sendonly.
    case send
    /// WHIP ingest: the browser offers sendonly (or sendrecv), the relay answers recvonly.
    case receive

    /// The protocol name for messages.
    var endpoint: String { self == .send ? "WHEP" : "WHIP" }

    /// The direction the relay answers with for an accepted m-line.
    var answerDirection: MediaDirection { self == .send ? .sendonly : .recvonly }

    /// Whether the relay can serve an m-line the offer marks `direction`.
    func accepts(_ direction: MediaDirection) -> Bool {
        self == .send ? direction.receives : direction.sends
    }

    /// The offered directions that fit, for messages.
    var expectedDirections: String { self == .send ? "recvonly or sendrecv" : "sendonly or sendrecv" }
}
