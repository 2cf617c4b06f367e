import Foundation

/// Pure text rendering for classctl's tables, week grid and live view (snapshot-tested).
enum Render {
    /// Columns separated by two spaces, a header and a dashed rule; no trailing spaces.
    static func table(_ headers: [String], _ rows: [[String]]) -> String {
        let count = headers.count
        var widths = headers.map(displayWidth)
        for row in rows {
            for (index, cell) in row.prefix(count).enumerated() { widths[index] = max(widths[index], displayWidth(cell)) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for index in 0..<count {
                let cell = index < cells.count ? cells[index] : ""
                text += index == count - 1 ? cell : pad(cell, widths[index]) + "  "
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = [line(headers), line(widths.map { String(repeating: "-", count: $0) })]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// `label: value` lines with the labels aligned.
    static func fields(_ pairs: [(String, String)]) -> String {
        let width = pairs.map { displayWidth($0.0) }.max() ?? 0
        return pairs.map { pad($0.0 + ":", width + 1) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    }

    static func schools(_ schools: [School]) -> String {
        table(
            ["ID", "NAME", "ROLE", "BANDWIDTH", "REGION"],
            schools.map {
                [$0.id, $0.name, $0.role, $0.bandwidthKbps.map { "\($0) kbit/s" } ?? "-", $0.region ?? "-"]
            })
    }

    static func school(_ school: School) -> String {
        var pairs = [("id", school.id), ("name", school.name), ("role", school.role)]
        pairs.append(("bandwidth", school.bandwidthKbps.map { "\($0) kbit/s" } ?? "-"))
        pairs.append(("region", school.region ?? "-"))
        if let key = school.key { pairs.append(("key", key)) }
        return fields(pairs)
    }

    static func keyNotice(_ school: School) -> String {
        guard school.key != nil else { return "" }
        return "(the key is shown only now; store it safely. `classctl schools rotate-key \(school.id)` replaces it.)\n"
    }

    static func pairings(_ pairings: [Pairing]) -> String {
        table(["ID", "CENTRAL", "SITE", "PROGRAM"], pairings.map { [$0.id, $0.centralSchoolId, $0.siteId, $0.program] })
    }

    static func classes(_ classes: [ClassInfo]) -> String {
        table(
            ["ID", "TITLE", "PROGRAM", "CENTRAL", "STARTS", "ENDS", "SITES", "REPEATS"],
            classes.map {
                [
                    $0.id, $0.title, $0.program, $0.centralSchoolId, $0.startsAt, $0.endsAt, $0.siteIds.joined(separator: ","),
                    $0.recurrence.map { "\($0.weekly.joined(separator: ",")) until \($0.until)" } ?? "-",
                ]
            })
    }

    static func classInfo(_ info: ClassInfo) -> String {
        fields([
            ("id", info.id), ("title", info.title), ("program", info.program), ("central", info.centralSchoolId),
            ("teacher", info.teacher ?? "-"), ("subject", info.subject ?? "-"), ("starts", info.startsAt),
            ("ends", info.endsAt), ("sites", info.siteIds.joined(separator: ", ")),
            ("repeats", info.recurrence.map { "\($0.weekly.joined(separator: ",")) until \($0.until)" } ?? "-"),
            ("record", info.record.map { $0 ? "yes" : "no" } ?? "-"),
        ])
    }

    static func recordings(_ list: [RecordingInfo]) -> String {
        guard !list.isEmpty else { return "(no recordings)\n" }
        return table(
            ["ID", "CLASS", "TITLE", "STARTS", "DURATION", "SIZE", "STATE"],
            list.map {
                [$0.id, $0.classId, $0.title, $0.startsAt, duration($0.durationSeconds), megabytes($0.bytes), $0.state]
            })
    }

    static func recording(_ r: RecordingInfo) -> String {
        fields([
            ("id", r.id), ("class", r.classId), ("title", r.title), ("program", r.program), ("central", r.centralSchoolId),
            ("starts", r.startsAt), ("ends", r.endsAt ?? "-"), ("duration", duration(r.durationSeconds)),
            ("size", megabytes(r.bytes)), ("state", r.state),
        ])
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

    static func live(_ view: LiveView) -> String {
        var pairs = [("class", view.classId), ("state", view.state)]
        if let publisher = view.publisher {
            pairs.append(("publisher", publisher.protocol))
            pairs.append(("since", publisher.since))
            pairs.append(("input", "\(publisher.inputKbps) kbit/s"))
            if let video = publisher.video {
                pairs.append(("video", "\(video.codec) \(video.width)x\(video.height) \(formatFPS(video.fps)) fps"))
            }
        } else {
            pairs.append(("publisher", "-"))
        }
        var text = fields(pairs)
        text += "\nRenditions\n"
        text +=
            view.renditions.isEmpty
            ? "(none)\n"
            : table(
                ["NAME", "SIZE", "VIDEO"],
                view.renditions.map {
                    [$0.name, "\($0.width)x\($0.height)", "\($0.videoKbps) kbit/s"]
                })
        text += "\nViewers (\(view.viewers.count))\n"
        text +=
            view.viewers.isEmpty
            ? "(none)\n"
            : table(
                ["SITE", "PROTOCOL", "RENDITION", "KBIT/S", "SINCE"],
                view.viewers.map {
                    [$0.siteId ?? "-", $0.protocol, $0.rendition, "\($0.sendKbps)", $0.since]
                })
        let feeds = view.returnFeeds ?? []
        text += "\nReturn feeds (\(feeds.count))\n"
        text +=
            feeds.isEmpty
            ? "(none)\n"
            : table(
                ["SITE", "PROTOCOL", "INPUT", "VIDEO", "SINCE"],
                feeds.map {
                    [$0.siteId, $0.protocol, "\($0.inputKbps) kbit/s", $0.video.map { "\($0.codec) \($0.width)x\($0.height)" } ?? "-", $0.since]
                })
        return text
    }

    static func formatFPS(_ fps: Double) -> String {
        fps == fps.rounded() ? String(Int(fps)) : String(format: "%.2f", fps)
    }

    // MARK: Text width

    /// Terminal columns `text` takes: East Asian wide and fullwidth characters count two.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + scalarWidth($1) }
    }

    static func scalarWidth(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F: 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x20000...0x3FFFD:
            2
        default: 1
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        let missing = width - displayWidth(text)
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }

    /// Cuts `text` to at most `width` columns, ending in `…` when cut.
    static func truncate(_ text: String, _ width: Int) -> String {
        guard displayWidth(text) > width else { return text }
        var result = ""
        var used = 0
        for character in text {
            let w = displayWidth(String(character))
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        while result.last?.isWhitespace == true { result.removeLast() }
        return result + "…"
    }
}
