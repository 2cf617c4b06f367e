/// Parsers for the values of the attributes `SDPParser` understands. Each throws
/// `SDPError.malformedAttribute` naming the attribute and what is wrong with it.
extension SDPParser {
    /// The trimmed value, which must not be empty.
    static func required(_ value: String?, _ name: String, _ line: Int) throws(SDPError) -> Substring {
        let trimmed = SDPText.trim(value ?? "")
        guard !trimmed.isEmpty else { throw .malformedAttribute(line: line, name: name, reason: "has no value") }
        return trimmed
    }

    static func payloadType(_ text: Substring, _ name: String, _ line: Int) throws(SDPError) -> UInt8 {
        guard let pt = SDPText.decimal(text, as: UInt8.self), pt <= 127 else {
            throw .malformedAttribute(line: line, name: name, reason: "has payload type \(SDPText.excerpt(text)), not 0-127")
        }
        return pt
    }

    static func rtpMap(_ value: String?, _ line: Int) throws(SDPError) -> RTPMap {
        let name = "rtpmap"
        let (ptText, rest) = SDPText.splitFirstField(try required(value, name, line))
        let pt = try payloadType(ptText, name, line)
        let parts = rest.map { SDPText.split($0, on: UInt8(ascii: "/")) } ?? []
        guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[0].contains(" "),
            let clockRate = SDPText.decimal(parts[1], as: UInt32.self), clockRate > 0
        else {
            throw .malformedAttribute(
                line: line, name: name, reason: "is not <pt> <encoding>/<clock rate>[/<channels>]: \(SDPText.excerpt(value ?? ""))")
        }
        var channels: UInt8?
        if parts.count == 3 {
            guard let count = SDPText.decimal(parts[2], as: UInt8.self), count > 0 else {
                throw .malformedAttribute(line: line, name: name, reason: "has channels \(SDPText.excerpt(parts[2])), not 1-255")
            }
            channels = count
        }
        return RTPMap(payloadType: pt, encodingName: String(parts[0]), clockRate: clockRate, channels: channels)
    }

    static func formatParameters(_ value: String?, _ line: Int) throws(SDPError) -> FormatParameters {
        let name = "fmtp"
        let (ptText, rest) = SDPText.splitFirstField(try required(value, name, line))
        let pt = try payloadType(ptText, name, line)
        guard let rest else { throw .malformedAttribute(line: line, name: name, reason: "for payload type \(pt) has no parameters") }
        return FormatParameters(payloadType: pt, text: String(rest))
    }

    /// `(nil, feedback)` for `a=rtcp-fb:* …`.
    static func feedback(_ value: String?, _ line: Int) throws(SDPError) -> (UInt8?, RTCPFeedback) {
        let name = "rtcp-fb"
        let (ptText, rest) = SDPText.splitFirstField(try required(value, name, line))
        let pt: UInt8? = ptText == "*" ? nil : try payloadType(ptText, name, line)
        guard let rest else { throw .malformedAttribute(line: line, name: name, reason: "has no feedback type") }
        let (type, parameter) = SDPText.splitFirstField(rest)
        return (pt, RTCPFeedback(type: String(type), parameter: parameter.map(String.init)))
    }

    static func extensionMap(_ value: String?, _ line: Int) throws(SDPError) -> ExtensionMap {
        let name = "extmap"
        let (idText, rest) = SDPText.splitFirstField(try required(value, name, line))
        let idParts = SDPText.split(idText, on: UInt8(ascii: "/"))
        guard idParts.count <= 2, let id = SDPText.decimal(idParts[0], as: UInt8.self), id >= 1 else {
            throw .malformedAttribute(line: line, name: name, reason: "has id \(SDPText.excerpt(idText)), not 1-255")
        }
        var direction: MediaDirection?
        if idParts.count == 2 {
            guard let parsed = MediaDirection(attribute: idParts[1]) else {
                throw .malformedAttribute(
                    line: line, name: name, reason: "has direction \(SDPText.excerpt(idParts[1])), not sendrecv, sendonly, recvonly or inactive")
            }
            direction = parsed
        }
        guard let rest else { throw .malformedAttribute(line: line, name: name, reason: "\(id) has no URI") }
        let (uri, extensionAttributes) = SDPText.splitFirstField(rest)
        return ExtensionMap(id: id, direction: direction, uri: String(uri), extensionAttributes: extensionAttributes.map(String.init))
    }

    static func addExtensionMap(_ map: ExtensionMap, to maps: inout [ExtensionMap], _ line: Int) throws(SDPError) {
        guard !maps.contains(where: { $0.id == map.id }) else {
            throw .malformedAttribute(line: line, name: "extmap", reason: "uses id \(map.id) twice")
        }
        maps.append(map)
    }

    static func mid(_ value: String?, _ line: Int) throws(SDPError) -> String {
        let mid = try required(value, "mid", line)
        guard mid.count <= SDPLimits.maxMidLength, !mid.contains(" "), !mid.contains("\t") else {
            throw .malformedAttribute(
                line: line, name: "mid", reason: "is not one token of at most \(SDPLimits.maxMidLength) characters: \(SDPText.excerpt(mid))")
        }
        return String(mid)
    }

    static func fingerprint(_ value: String?, _ line: Int) throws(SDPError) -> SDPFingerprint {
        let text = try required(value, "fingerprint", line)
        switch SDPFingerprint.parse(text) {
        case .success(let fingerprint):
            return fingerprint
        case .failure(let failure):
            throw .malformedAttribute(line: line, name: "fingerprint", reason: failure.reason)
        }
    }

    static func setup(_ value: String?, _ line: Int) throws(SDPError) -> DTLSSetupRole {
        let text = try required(value, "setup", line)
        guard let role = DTLSSetupRole(attribute: text) else {
            throw .malformedAttribute(
                line: line, name: "setup", reason: "is \(SDPText.excerpt(text)), not active, passive, actpass or holdconn")
        }
        return role
    }

    static func ssrc(_ value: String?, _ line: Int) throws(SDPError) -> SSRCAttribute {
        let name = "ssrc"
        let (ssrcText, rest) = SDPText.splitFirstField(try required(value, name, line))
        guard let ssrc = SDPText.decimal(ssrcText, as: UInt32.self) else {
            throw .malformedAttribute(line: line, name: name, reason: "has SSRC \(SDPText.excerpt(ssrcText)), not 0-4294967295")
        }
        guard let rest else { throw .malformedAttribute(line: line, name: name, reason: "\(ssrc) has no attribute") }
        if let colon = SDPText.firstIndex(of: UInt8(ascii: ":"), in: rest) {
            return SSRCAttribute(
                ssrc: ssrc, attribute: rest[..<colon].lowercased(), value: String(rest[rest.index(after: colon)...]))
        }
        return SSRCAttribute(ssrc: ssrc, attribute: rest.lowercased(), value: nil)
    }

    static func ssrcGroup(_ value: String?, _ line: Int) throws(SDPError) -> SSRCGroup {
        let name = "ssrc-group"
        let fields = SDPText.fields(try required(value, name, line))
        var ssrcs: [UInt32] = []
        for field in fields.dropFirst() {
            guard let ssrc = SDPText.decimal(field, as: UInt32.self) else {
                throw .malformedAttribute(line: line, name: name, reason: "has SSRC \(SDPText.excerpt(field)), not 0-4294967295")
            }
            ssrcs.append(ssrc)
        }
        return SSRCGroup(semantics: String(fields[0]), ssrcs: ssrcs)
    }
}
