/// An `a=msid:<stream id> [<track id>]` attribute (RFC 8830).
struct MediaStreamID: Hashable, Sendable {
    var streamID: String
    var trackID: String?

    var attributeValue: String { trackID.map { "\(streamID) \($0)" } ?? streamID }
}
