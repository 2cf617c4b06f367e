/// An RTP header extension both sides use on one m-line: the offer's id for one of
/// `HeaderExtensionURI.supported`, and the direction qualifier the answer writes (nil when the
/// offer wrote none). Ids 1–14 fit the one-byte header form (RFC 8285); a larger id needs the
/// two-byte form, which the RTP writer must then use for that packet.
struct NegotiatedHeaderExtension: Hashable, Sendable {
    var id: UInt8
    var uri: String
    var direction: MediaDirection?

    /// The `a=extmap` value for the answer.
    var attributeValue: String {
        ExtensionMap(id: id, direction: direction, uri: uri, extensionAttributes: nil).attributeValue
    }
}
