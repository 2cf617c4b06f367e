import Foundation

/// What `classctl demo` prints: the set-up summary and each site's player commands, as text
/// or (with `--json`) as one JSON object for scripts.
extension Demo {
    /// The human-readable set-up summary and per-site player commands.
    static func text(
        info: ClassInfo, keys: [String: String], rtmpBase: String, srtBase: String, width: Int, height: Int, notes: [String]
    ) -> String {
        var lines = notes
        lines.append("")
        lines.append("class \(info.id) \"\(info.title)\" (\(info.program)) \(info.startsAt) – \(info.endsAt), central school \(info.centralSchoolId)")
        let centralKey = keys[Self.centralId]!
        lines.append("central key: \(centralKey)")
        lines.append("  publish: \(rtmpBase)/live/\(Self.classId)?key=\(Self.encoded(centralKey))")
        lines.append("")
        for site in Self.sites {
            let key = keys[site.id]!
            let rtmp = "\(rtmpBase)/live/\(Self.classId)?key=\(Self.encoded(key))"
            let srt = "\(srtBase)?streamid=#!::r=live/\(Self.classId),m=request,s=\(key)"
            lines.append("\(site.id) (\(site.kbps) kbit/s), key \(key):")
            lines.append("  " + Self.rungExplanation(bandwidthKbps: site.kbps, sourceHeight: height))
            lines.append("  (with transcode.enabled, from a lesson that feeds the rung: its height, and 5/4 of its video bitrate; the")
            lines.append(
                "  demo's own testsrc \(width)x\(height) is a few hundred kbit/s, feeds no rung and plays as the source; `_source` in the URL")
            lines.append("  plays the source untranscoded)")
            lines.append("  ffplay \"\(rtmp)\"")
            lines.append("  ffplay \"\(srt)\"")
            lines.append("  vlc \"\(rtmp)\"")
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// One JSON object: the class, the central school's publish URL and key, and per site its
    /// key, expected rung (and why) and ready-to-use player URLs.
    static func json(
        info: ClassInfo, keys: [String: String], rtmpBase: String, srtBase: String, sourceHeight: Int, notes: [String]
    ) throws -> String {
        let centralKey = keys[centralId]!
        let sites: [[String: Any]] = Self.sites.map { site in
            let key = keys[site.id]!
            return [
                "id": site.id, "bandwidthKbps": site.kbps, "key": key,
                "rendition": expectedRung(bandwidthKbps: site.kbps, sourceHeight: sourceHeight),
                "why": rungExplanation(bandwidthKbps: site.kbps, sourceHeight: sourceHeight),
                "rtmpURL": "\(rtmpBase)/live/\(classId)?key=\(encoded(key))",
                "srtURL": "\(srtBase)?streamid=#!::r=live/\(classId),m=request,s=\(key)",
            ]
        }
        let object: [String: Any] = [
            "classId": info.id, "title": info.title, "program": info.program, "startsAt": info.startsAt, "endsAt": info.endsAt,
            "centralSchoolId": info.centralSchoolId, "centralKey": centralKey,
            "publishURL": "\(rtmpBase)/live/\(classId)?key=\(encoded(centralKey))",
            "sites": sites, "steps": notes,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
