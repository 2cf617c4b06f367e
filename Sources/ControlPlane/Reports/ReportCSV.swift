public import RelayAPIModels

/// The reports as CSV for Excel and WPS: UTF-8 with a byte-order mark (so Chinese titles open
/// right), a header row, CRLF line ends, RFC 4180 quoting. Occurrences are one row per
/// occurrence and site (an occurrence without sites: one row, its site columns empty).
public enum ReportCSV {
    public static let occurrenceColumns = [
        "classId", "title", "program", "centralSchoolId", "teacher", "subject", "scheduledStart", "scheduledEnd", "held",
        "startedAt", "endedAt", "startDelaySeconds", "liveSeconds", "interruptions", "interruptedSeconds", "recordingId",
        "siteId", "attended", "firstJoinAt", "watchedSeconds", "protocols", "renditionSeconds", "stalls", "returnFeedSeconds",
        "onStageSeconds",
    ]

    public static let summaryColumns = [
        "key", "scheduled", "held", "heldRate", "siteSlots", "siteAttended", "attendanceRate", "watchedHours",
        "avgStartDelaySeconds", "interruptedSeconds",
    ]

    public static func occurrences(_ reports: [RelayAPI.OccurrenceReport]) -> String {
        var rows: [[String]] = []
        for r in reports {
            let occurrence = [
                r.classId, inert(r.title), r.program, r.centralSchoolId, inert(r.teacher ?? ""), inert(r.subject ?? ""), r.scheduledStart,
                r.scheduledEnd,
                "\(r.held)", r.startedAt ?? "", r.endedAt ?? "", r.startDelaySeconds.map(String.init) ?? "", "\(r.liveSeconds)",
                "\(r.interruptions)", "\(r.interruptedSeconds)", r.recordingId ?? "",
            ]
            if r.sites.isEmpty { rows.append(occurrence + Array(repeating: "", count: 9)) }
            for s in r.sites {
                rows.append(
                    occurrence + [
                        s.siteId, "\(s.attended)", s.firstJoinAt ?? "", "\(s.watchedSeconds)", s.protocols.joined(separator: " "),
                        s.renditionSeconds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
                        "\(s.stalls)", "\(s.returnFeedSeconds)", "\(s.onStageSeconds)",
                    ])
            }
        }
        return document(occurrenceColumns, rows)
    }

    public static func summary(_ rows: [RelayAPI.SummaryRow]) -> String {
        document(
            summaryColumns,
            rows.map { r in
                [
                    inert(r.key), "\(r.scheduled)", "\(r.held)", "\(r.heldRate)", "\(r.siteSlots)", "\(r.siteAttended)", "\(r.attendanceRate)",
                    "\(r.watchedHours)", r.avgStartDelaySeconds.map { "\($0)" } ?? "", "\(r.interruptedSeconds)",
                ]
            })
    }

    static func document(_ header: [String], _ rows: [[String]]) -> String {
        "\u{FEFF}" + ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    /// Text someone typed (a title, a teacher's name), made inert for a spreadsheet: a leading
    /// `=`, `+`, `-`, `@`, tab or carriage return would make Excel or WPS read the cell as a
    /// formula (OWASP's CSV injection), so such text gets a leading `'`, which they show as text.
    static func inert(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return text }
        return "'" + text
    }

    /// A field quoted when it holds a comma, a quote or a line break; quotes doubled.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
