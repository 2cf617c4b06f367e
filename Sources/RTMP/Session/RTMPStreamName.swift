public import RelayCore

/// What a client's app and stream name say: the stream, the key, and a pinned rendition.
///
/// `rtmp://host/live/<classId>?key=K` arrives as app `live` and name `<classId>?key=K` (ffmpeg,
/// librtmp), or with the query on the app (`live?key=K`, some encoders): both are accepted.
public struct RTMPStreamName: Sendable, Equatable {
    public let stream: StreamKey
    public let key: String?
    /// `source` for `<classId>_source`, the rung for `<classId>_<rung>` (a name in
    /// `renditions`); nil when the player asked for the adaptive stream.
    public let rendition: String?

    public init?(app rawApp: String, name rawName: String, renditions: Set<String> = []) {
        let (app, appQuery) = Self.split(rawApp)
        var (name, nameQuery) = Self.split(rawName)
        for prefix in ["flv:", "mp4:"] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
        let app2 = app.trimmingSlashes
        guard !app2.isEmpty, !name.isEmpty, name.count <= 256, app2.count <= 256 else { return nil }
        guard !name.contains("/"), !name.contains("..") else { return nil }
        var rendition: String?
        if name.hasSuffix("_source") {
            name.removeLast("_source".count)
            rendition = "source"
        } else if let underscore = name.lastIndex(of: "_"),
            case let suffix = String(name[name.index(after: underscore)...]), renditions.contains(suffix)
        {
            name = String(name[..<underscore])
            rendition = suffix
        }
        guard !name.isEmpty else { return nil }
        self.stream = StreamKey(app: app2, name: name)
        self.key = Self.value(of: "key", in: nameQuery) ?? Self.value(of: "key", in: appQuery)
        self.rendition = rendition
    }

    static func split(_ s: String) -> (String, Substring) {
        guard let q = s.firstIndex(of: "?") else { return (s, "") }
        return (String(s[..<q]), s[s.index(after: q)...])
    }

    static func value(of field: String, in query: Substring) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, parts[0] == field { return String(parts[1]).removingPercentEncodingIfPossible }
        }
        return nil
    }
}

extension String {
    var trimmingSlashes: String {
        var s = Substring(self)
        while s.hasPrefix("/") { s.removeFirst() }
        while s.hasSuffix("/") { s.removeLast() }
        return String(s)
    }

    /// Decodes %XX escapes; returns the string unchanged where it is not valid percent-encoding.
    var removingPercentEncodingIfPossible: String {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var it = utf8.makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "%"), let h = it.next(), let l = it.next(),
                let hi = Self.hexValue(h), let lo = Self.hexValue(l)
            {
                bytes.append(hi << 4 | lo)
            } else if c == UInt8(ascii: "%") {
                return self
            } else {
                bytes.append(c)
            }
        }
        return String(validating: bytes, as: UTF8.self) ?? self
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
