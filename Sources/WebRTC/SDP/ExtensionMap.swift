/// An `a=extmap:<id>[/<direction>] <uri> [<attributes>]` attribute (RFC 8285): which RTP header
/// extension id carries which extension.
struct ExtensionMap: Hashable, Sendable {
    /// 1–14 fit the one-byte header form, 15–255 need the two-byte form.
    var id: UInt8
    var direction: MediaDirection?
    var uri: String
    var extensionAttributes: String?

    /// The attribute's value.
    var attributeValue: String {
        var value = "\(id)"
        if let direction { value += "/\(direction)" }
        value += " \(uri)"
        if let extensionAttributes { value += " \(extensionAttributes)" }
        return value
    }
}

/// The header extension URIs the relay can write or read.
enum HeaderExtensionURI {
    static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    static let absoluteSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

    /// All of the above, in the order an answer lists them.
    static let supported = [mid, absoluteSendTime, transportWideCC]
}
