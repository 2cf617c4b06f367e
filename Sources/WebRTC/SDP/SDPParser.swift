/// The line-by-line state machine behind `SessionDescription.parse`. Session-level lines come
/// first; each `m=` starts a media section that inherits the session-level transport attributes
/// and direction, which its own lines then override. Lines after an `m=` go to the last element
/// of `session.media`, mutated in place (copying a `MediaDescription` per line would be slow).
struct SDPParser {
    private var session = SessionDescription()
    /// Whether the current m-line wrote its own fingerprints / ice-options (they replace the
    /// inherited ones rather than add to them).
    private var currentHasOwnFingerprints = false
    private var currentHasOwnICEOptions = false
    private var sawVersion = false

    static func parse(utf8 bytes: [UInt8]) throws(SDPError) -> SessionDescription {
        guard bytes.count <= SDPLimits.maxBytes else { throw .tooLarge(bytes: bytes.count) }
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }) else {
            throw .empty
        }
        var parser = SDPParser()
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            guard lineNumber <= SDPLimits.maxLines else { throw .tooManyLines }
            var lineEnd = end
            if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            try parser.consume(bytes[start..<lineEnd], line: lineNumber)
            start = end + 1
        }
        return try parser.finish()
    }

    private mutating func consume(_ bytes: ArraySlice<UInt8>, line: Int) throws(SDPError) {
        var blank = true
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
                throw .malformedLine(line: line, reason: "contains a control character: \(Self.excerpt(bytes))")
            }
            if byte != 0x20 && byte != 0x09 { blank = false }
            index += 1
        }
        if blank { return }
        let type = bytes[bytes.startIndex]
        guard bytes.count >= 2, type >= UInt8(ascii: "a"), type <= UInt8(ascii: "z"),
            bytes[bytes.startIndex + 1] == UInt8(ascii: "=")
        else {
            if !sawVersion { throw .missingVersion(firstLine: Self.excerpt(bytes)) }
            throw .malformedLine(line: line, reason: "is not <letter>=<value>: \(Self.excerpt(bytes))")
        }
        let value = String(decoding: bytes.dropFirst(2), as: UTF8.self)
        if !sawVersion {
            guard type == UInt8(ascii: "v") else { throw .missingVersion(firstLine: Self.excerpt(bytes)) }
            guard SDPText.trim(value) == "0" else {
                throw .malformedLine(line: line, reason: "has SDP version \(SDPText.excerpt(value)), not 0")
            }
            sawVersion = true
            return
        }
        switch type {
        case UInt8(ascii: "v"):
            throw .malformedLine(line: line, reason: "is a second v= line; one body holds one session")
        case UInt8(ascii: "o"):
            if session.media.isEmpty { session.origin = value }
        case UInt8(ascii: "s"):
            if session.media.isEmpty { session.sessionName = value }
        case UInt8(ascii: "m"):
            try startMedia(value, line: line)
        case UInt8(ascii: "a"):
            try attribute(value, line: line)
        default:
            break  // c=, b=, t=, r=, z=, k=, i=, u=, e=, p= and unknown types: not needed.
        }
    }

    /// The line quoted for a message (decoded only on the error path).
    private static func excerpt(_ bytes: ArraySlice<UInt8>) -> String {
        SDPText.excerpt(String(decoding: bytes, as: UTF8.self))
    }

    private func finish() throws(SDPError) -> SessionDescription {
        var mids = Set<String>()
        for media in session.media {
            guard let mid = media.mid else { continue }
            guard mids.insert(mid).inserted else { throw .duplicateMid(mid) }
        }
        return session
    }

    // MARK: m-lines

    private mutating func startMedia(_ value: String, line: Int) throws(SDPError) {
        guard session.media.count < SDPLimits.maxMediaSections else { throw .tooManyMediaSections }
        let fields = SDPText.fields(value)
        guard fields.count >= 4 else {
            throw .malformedLine(
                line: line,
                reason: "is an m-line without <media> <port> <protocol> <formats>: \(SDPText.excerpt("m=" + value))")
        }
        let portText = SDPText.split(fields[1], on: UInt8(ascii: "/"))[0]
        guard let port = SDPText.decimal(portText, as: UInt16.self) else {
            throw .malformedLine(line: line, reason: "has m-line port \(SDPText.excerpt(fields[1])), not 0-65535")
        }
        var media = MediaDescription(
            kind: MediaKind(token: fields[0]), port: port, transportProtocol: String(fields[2]),
            formats: fields[3...].map(String.init), line: line)
        if media.isRTP {
            for format in media.formats where (SDPText.decimal(format, as: UInt8.self) ?? 128) > 127 {
                throw .malformedLine(line: line, reason: "lists payload type \(SDPText.excerpt(format)), not 0-127")
            }
        }
        media.direction = session.direction ?? .sendrecv
        media.transport = session.transport
        session.media.append(media)
        currentHasOwnFingerprints = false
        currentHasOwnICEOptions = false
    }

    // MARK: a= lines

    private mutating func attribute(_ text: String, line: Int) throws(SDPError) {
        let name: String
        let value: String?
        if let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) {
            name = String(text[..<colon])
            value = String(text[text.utf8.index(after: colon)...])
        } else {
            name = text
            value = nil
        }
        guard !SDPText.trim(name).isEmpty else {
            throw .malformedLine(line: line, reason: "is an a= line without a name: \(SDPText.excerpt("a=" + text))")
        }
        let record = SDPAttribute(name: name, value: value, line: line)
        let key = name.lowercased()
        if !session.media.isEmpty {
            let last = session.media.count - 1
            session.media[last].attributes.append(record)
            try Self.mediaAttribute(
                key, value, line: line, media: &session.media[last],
                hasOwnFingerprints: &currentHasOwnFingerprints, hasOwnICEOptions: &currentHasOwnICEOptions)
        } else {
            session.attributes.append(record)
            try sessionAttribute(key, value, line: line)
        }
    }

    private mutating func sessionAttribute(_ name: String, _ value: String?, line: Int) throws(SDPError) {
        if let direction = MediaDirection(attribute: name) {
            session.direction = direction
            return
        }
        switch name {
        case "group":
            let fields = SDPText.fields(try Self.required(value, name, line))
            session.groups.append(SDPGroup(semantics: String(fields[0]), mids: fields.dropFirst().map(String.init)))
        case "ice-lite":
            session.iceLite = true
        case "extmap-allow-mixed":
            session.extmapAllowMixed = true
        case "extmap":
            try Self.addExtensionMap(try Self.extensionMap(value, line), to: &session.extensionMaps, line)
        case "ice-ufrag":
            session.transport.iceUfrag = String(try Self.required(value, name, line))
        case "ice-pwd":
            session.transport.icePwd = String(try Self.required(value, name, line))
        case "ice-options":
            session.transport.iceOptions = SDPText.fields(try Self.required(value, name, line)).map(String.init)
        case "fingerprint":
            session.transport.fingerprints.append(try Self.fingerprint(value, line))
        case "setup":
            session.transport.setup = try Self.setup(value, line)
        default:
            break
        }
    }

    private static func mediaAttribute(
        _ name: String, _ value: String?, line: Int, media: inout MediaDescription,
        hasOwnFingerprints: inout Bool, hasOwnICEOptions: inout Bool
    ) throws(SDPError) {
        if let direction = MediaDirection(attribute: name) {
            media.direction = direction
            return
        }
        switch name {
        case "mid":
            media.mid = try Self.mid(value, line)
        case "rtpmap":
            let map = try Self.rtpMap(value, line)
            guard media.rtpMaps[map.payloadType] == nil else {
                throw .malformedAttribute(line: line, name: name, reason: "describes payload type \(map.payloadType) twice")
            }
            media.rtpMaps[map.payloadType] = map
        case "fmtp":
            let parameters = try Self.formatParameters(value, line)
            guard media.formatParameters[parameters.payloadType] == nil else {
                throw .malformedAttribute(
                    line: line, name: name, reason: "describes payload type \(parameters.payloadType) twice")
            }
            media.formatParameters[parameters.payloadType] = parameters
        case "rtcp-fb":
            let (payloadType, feedback) = try Self.feedback(value, line)
            if let payloadType {
                media.feedback[payloadType, default: []].append(feedback)
            } else {
                media.wildcardFeedback.append(feedback)
            }
        case "extmap":
            try Self.addExtensionMap(try Self.extensionMap(value, line), to: &media.extensionMaps, line)
        case "rtcp-mux":
            media.rtcpMux = true
        case "rtcp-rsize":
            media.rtcpReducedSize = true
        case "ssrc":
            media.ssrcs.append(try Self.ssrc(value, line))
        case "ssrc-group":
            media.ssrcGroups.append(try Self.ssrcGroup(value, line))
        case "msid":
            let (stream, track) = SDPText.splitFirstField(try Self.required(value, name, line))
            media.msids.append(MediaStreamID(streamID: String(stream), trackID: track.map(String.init)))
        case "candidate":
            media.candidates.append(String(try Self.required(value, name, line)))
        case "end-of-candidates":
            media.endOfCandidates = true
        case "ice-ufrag":
            media.transport.iceUfrag = String(try Self.required(value, name, line))
        case "ice-pwd":
            media.transport.icePwd = String(try Self.required(value, name, line))
        case "ice-options":
            let options = SDPText.fields(try Self.required(value, name, line)).map(String.init)
            media.transport.iceOptions = hasOwnICEOptions ? media.transport.iceOptions + options : options
            hasOwnICEOptions = true
        case "fingerprint":
            let fingerprint = try Self.fingerprint(value, line)
            if !hasOwnFingerprints { media.transport.fingerprints = [] }
            media.transport.fingerprints.append(fingerprint)
            hasOwnFingerprints = true
        case "setup":
            media.transport.setup = try Self.setup(value, line)
        default:
            break
        }
    }
}
