public import RelayCore

/// What an SRT caller asks for in its streamid, parsed without any C.
///
/// Two forms are accepted:
/// - the SRT access-control form `#!::r=live/<classId>,m=publish|request,s=<key>` (keys `r`
///   resource, `m` mode, `s` session key; `u`, `h`, `t` and unknown keys are ignored, `t` must
///   be `stream` when present; `m` defaults to `request` as the SRT specification says);
/// - the plain form `live/<classId>?key=<key>[&m=publish]`.
///
/// `live/<classId>_source` pins the untranscoded rendition, as ``RTMPStreamName`` does.
public struct SRTStreamID: Sendable, Equatable {
    public enum Mode: String, Sendable { case publish, request }

    public let stream: StreamKey
    public let mode: Mode
    /// The key (`s=` or `key=`); never logged.
    public let key: String?
    /// `source` for `<classId>_source`; nil for the adaptive stream.
    public let rendition: String?

    /// The longest streamid SRT carries (SRTO_STREAMID holds at most 512 bytes).
    public static let maxLength = 512

    public init(stream: StreamKey, mode: Mode, key: String?, rendition: String?) {
        self.stream = stream
        self.mode = mode
        self.key = key
        self.rendition = rendition
    }

    /// Parses `raw`; throws a ``SRTStreamIDError`` that says what is wrong.
    public static func parse(_ raw: String) throws(SRTStreamIDError) -> SRTStreamID {
        guard !raw.isEmpty else { throw .empty }
        guard raw.utf8.count <= maxLength else { throw .tooLong(raw.utf8.count) }
        guard !raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw .controlCharacter
        }
        // Some callers (e.g. ffmpeg's srt:// URL, which passes the streamid verbatim) send it
        // percent-encoded; `#` cannot start a streamid otherwise.
        if raw.hasPrefix("%23") {
            let decoded = percentDecoded(Substring(raw))
            if decoded.hasPrefix("#!::") { return try parseAccessControl(Substring(decoded).dropFirst(4)) }
        }
        if raw.hasPrefix("#!::") {
            return try parseAccessControl(raw.dropFirst(4))
        }
        return try parsePlain(Substring(raw))
    }

    private static func parseAccessControl(_ body: Substring) throws(SRTStreamIDError) -> SRTStreamID {
        var fields: [Substring: Substring] = [:]
        for (index, entry) in body.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { throw .malformedEntry(index: index + 1) }
            guard fields[parts[0]] == nil else { throw .duplicateKey(String(parts[0])) }
            fields[parts[0]] = parts[1]
        }
        if let type = fields["t"], type != "stream" { throw .unsupportedType(String(type.prefix(32))) }
        guard let resource = fields["r"] else { throw .missingResource }
        let mode = try mode(fields["m"])
        let key = fields["s"].map(String.init)
        return try make(resource: resource, mode: mode, key: key)
    }

    private static func parsePlain(_ raw: Substring) throws(SRTStreamIDError) -> SRTStreamID {
        let resource: Substring
        var query: Substring = ""
        if let q = raw.firstIndex(of: "?") {
            resource = raw[..<q]
            query = raw[raw.index(after: q)...]
        } else {
            resource = raw
        }
        var key: String?
        var modeValue: Substring?
        for (index, pair) in query.split(separator: "&").enumerated() {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { throw .malformedEntry(index: index + 1) }
            switch parts[0] {
            case "key", "s": key = percentDecoded(parts[1])
            case "m", "mode": modeValue = parts[1]
            default: continue
            }
        }
        return try make(resource: resource, mode: mode(modeValue), key: key)
    }

    private static func mode(_ value: Substring?) throws(SRTStreamIDError) -> Mode {
        guard let value else { return .request }
        switch value {
        case "publish": return .publish
        case "request", "play": return .request
        default: throw .unsupportedMode(String(value.prefix(32)))
        }
    }

    /// `app/name[_source]` → the stream key and pinned rendition.
    private static func make(resource: Substring, mode: Mode, key: String?) throws(SRTStreamIDError) -> SRTStreamID {
        var path = resource
        while path.hasPrefix("/") { path.removeFirst() }
        guard let slash = path.firstIndex(of: "/") else { throw .malformedResource(String(resource.prefix(64))) }
        let app = path[..<slash]
        var name = path[path.index(after: slash)...]
        guard !app.isEmpty, !name.isEmpty, app.count <= 256, name.count <= 256,
            !name.contains("/"), !name.contains(".."), !app.contains(".."),
            !name.contains("?"), !name.contains("#"), !name.contains(" ")
        else { throw .malformedResource(String(resource.prefix(64))) }
        var rendition: String?
        if name.hasSuffix("_source") {
            name.removeLast("_source".count)
            rendition = "source"
            guard !name.isEmpty else { throw .malformedResource(String(resource.prefix(64))) }
        }
        return SRTStreamID(stream: StreamKey(app: String(app), name: String(name)), mode: mode, key: key, rendition: rendition)
    }

    /// The stream a player of this id is given: a pinned rung's stream (`live/c1_480p`), else
    /// the source (`_source`, and the plain name: adaptive SRT playback is not built yet).
    public var playedStream: StreamKey {
        Rendition.playedKey(source: stream, rendition: rendition ?? "source")
    }

    /// The same request with a `_<rung>` suffix of `ladder` split off the stream name into
    /// ``rendition`` (`live/c1_480p` → stream `live/c1`, rendition `480p`).
    public func splittingRendition(ladder: Set<String>) -> SRTStreamID {
        guard rendition == nil else { return self }
        let (base, suffix) = Rendition.split(name: stream.name, ladder: ladder)
        guard let suffix else { return self }
        return SRTStreamID(stream: StreamKey(app: stream.app, name: base), mode: mode, key: key, rendition: suffix)
    }

    /// Decodes %XX escapes; returns the text unchanged where it is not valid percent-encoding.
    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var it = text.utf8.makeIterator()
        while let c = it.next() {
            guard c == UInt8(ascii: "%") else {
                bytes.append(c)
                continue
            }
            guard let h = it.next(), let l = it.next(), let hi = hex(h), let lo = hex(l) else { return String(text) }
            bytes.append(hi << 4 | lo)
        }
        return String(validating: bytes, as: UTF8.self) ?? String(text)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
