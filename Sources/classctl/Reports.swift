import ArgumentParser
import Foundation
import RelayAPIModels

/// `classctl reports occurrences|summary`: whether classes were held and who attended (应用统计).
struct Reports: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports", abstract: "Usage reports: classes held (开课率) and sites attending (到课率).",
        subcommands: [Occurrences.self, Summary.self]
    )

    /// The options both reports take.
    struct Range: ParsableArguments {
        @Option(help: "From (YYYY-MM-DD or RFC 3339).") var from: String
        @Option(help: "To (YYYY-MM-DD, that day included, or RFC 3339).") var to: String
        @Option(help: "Only the classes of this school (central or site).") var school: String?
        @Option(help: "Only this program (dedicated, master-teacher, famous-school).") var program: String?
        @Flag(help: "Print the server's CSV (UTF-8 with a BOM, for Excel and WPS).") var csv = false

        func query(_ extra: [URLQueryItem] = []) -> [URLQueryItem] {
            var items = [URLQueryItem(name: "from", value: from), URLQueryItem(name: "to", value: to)]
            if let school { items.append(URLQueryItem(name: "schoolId", value: school)) }
            if let program { items.append(URLQueryItem(name: "program", value: program)) }
            if csv { items.append(URLQueryItem(name: "format", value: "csv")) }
            return items + extra
        }
    }

    struct Occurrences: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each occurrence: held, start delay, live time, sites attended.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var range: Range

        func run() async throws {
            let client = try await global.client()
            let data = try await client.send("GET", "reports/occurrences", query: range.query())
            if range.csv || global.json {
                FileHandle.standardOutput.write(data)
                return
            }
            output(Render.occurrenceReports(try client.decode([RelayAPI.OccurrenceReport].self, data)))
        }
    }

    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Held and attendance rates per school, site, program or week.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var range: Range
        @Option(help: "school, site, program or week.") var groupBy: String = "school"

        func validate() throws {
            guard ["school", "site", "program", "week"].contains(groupBy) else {
                throw ValidationError("--group-by must be school, site, program or week")
            }
        }

        func run() async throws {
            let client = try await global.client()
            let data = try await client.send("GET", "reports/summary", query: range.query([URLQueryItem(name: "groupBy", value: groupBy)]))
            if range.csv || global.json {
                FileHandle.standardOutput.write(data)
                return
            }
            output(Render.summaryRows(groupBy, try client.decode([RelayAPI.SummaryRow].self, data)))
        }
    }
}

extension Render {
    static func occurrenceReports(_ reports: [RelayAPI.OccurrenceReport]) -> String {
        if reports.isEmpty { return "no occurrences in that range\n" }
        var text = table(
            ["START", "CLASS", "TITLE", "HELD", "DELAY", "LIVE", "BREAKS", "SITES", "WATCHED"],
            reports.map { r in
                let attended = r.sites.filter(\.attended).count
                let watched = r.sites.reduce(0) { $0 + $1.watchedSeconds }
                return [
                    localTime(r.scheduledStart), r.classId, truncate(r.title, 24), r.held ? "yes" : "no",
                    r.startDelaySeconds.map { duration(Double($0)) } ?? "-", duration(Double(r.liveSeconds)),
                    r.interruptions == 0 ? "0" : "\(r.interruptions) (\(duration(Double(r.interruptedSeconds))))",
                    "\(attended)/\(r.sites.count)", duration(Double(watched)),
                ]
            }
        )
        let held = reports.filter(\.held).count
        let slots = reports.reduce(0) { $0 + $1.sites.count }
        let attended = reports.reduce(0) { $0 + $1.sites.filter(\.attended).count }
        text += "\nheld \(held)/\(reports.count)" + (slots > 0 ? ", sites attended \(attended)/\(slots)" : "") + "\n"
        return text
    }

    static func summaryRows(_ grouping: String, _ rows: [RelayAPI.SummaryRow]) -> String {
        if rows.isEmpty { return "no occurrences in that range\n" }
        return table(
            [grouping.uppercased(), "SCHEDULED", "HELD", "HELD%", "SITE SLOTS", "ATTENDED", "ATTENDED%", "WATCHED H", "AVG DELAY", "BREAKS"],
            rows.map { r in
                [
                    r.key, "\(r.scheduled)", "\(r.held)", percent(r.heldRate), "\(r.siteSlots)", "\(r.siteAttended)",
                    percent(r.attendanceRate), String(format: "%.2f", r.watchedHours),
                    r.avgStartDelaySeconds.map { duration($0) } ?? "-", duration(Double(r.interruptedSeconds)),
                ]
            }
        )
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    /// `2026-09-01T00:00:00Z` as `09-01 08:00` in this machine's zone.
    static func localTime(_ rfc3339: String) -> String {
        let parser = ISO8601DateFormatter()
        guard let date = parser.date(from: rfc3339) else { return rfc3339 }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
