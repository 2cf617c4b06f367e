/// An `a=fmtp:<pt> <parameters>` attribute: the text as offered (to echo in the answer) and its
/// `key=value;…` pairs. Keys are lowercased (RFC 6184 keys are case-insensitive); a piece with no
/// `=` (telephone-event's `0-15`, red's `111/111`) is kept as a key with an empty value.
struct FormatParameters: Hashable, Sendable {
    var payloadType: UInt8
    /// The parameters exactly as written after the payload type.
    var text: String
    var parameters: [String: String]

    init(payloadType: UInt8, text: String) {
        self.payloadType = payloadType
        self.text = text
        var parameters: [String: String] = [:]
        for piece in SDPText.split(text, on: UInt8(ascii: ";")) {
            let trimmed = SDPText.trim(piece)
            guard !trimmed.isEmpty else { continue }
            if let equals = SDPText.firstIndex(of: UInt8(ascii: "="), in: trimmed) {
                let key = SDPText.trim(trimmed[..<equals]).lowercased()
                parameters[key] = String(SDPText.trim(trimmed[trimmed.index(after: equals)...]))
            } else {
                parameters[trimmed.lowercased()] = ""
            }
        }
        self.parameters = parameters
    }

    /// The value of `key` (case-insensitive).
    subscript(key: String) -> String? { parameters[key.lowercased()] }
}
