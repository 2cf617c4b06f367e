/// An `a=rtpmap:<pt> <name>/<clock rate>[/<channels>]` attribute.
struct RTPMap: Hashable, Sendable {
    var payloadType: UInt8
    /// The encoding name as written (`H264`, `opus`, `rtx`, …); compare case-insensitively.
    var encodingName: String
    var clockRate: UInt32
    /// Audio channels when given (`opus/48000/2`).
    var channels: UInt8?

    /// Whether the encoding name is `name`, ignoring case.
    func isEncoding(_ name: String) -> Bool { encodingName.lowercased() == name.lowercased() }

    /// The attribute's value.
    var attributeValue: String {
        var value = "\(payloadType) \(encodingName)/\(clockRate)"
        if let channels { value += "/\(channels)" }
        return value
    }
}
