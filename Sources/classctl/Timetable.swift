import ArgumentParser
import Foundation

struct Timetable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timetable", abstract: "The week's occurrences as a grid (days across, times down).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only the classes this school takes part in.") var school: String?
    @Option(help: "A day of the week to show (YYYY-MM-DD; default today).") var week: String?
    @Option(help: "Display time zone.") var zone = "Asia/Shanghai"

    func run() async throws {
        guard let timeZone = TimeZone(identifier: zone) else { throw ValidationError("unknown --zone \(zone)") }
        var day = Date()
        if let week, week != "today" {
            guard let parsed = WeekGrid.parseDay(week, zone: timeZone) else {
                throw ValidationError("--week takes a date like 2026-09-07")
            }
            day = parsed
        }
        let grid = WeekGrid(containing: day, zone: timeZone)
        var query = [
            URLQueryItem(name: "from", value: WeekGrid.rfc3339(grid.interval.from)),
            URLQueryItem(name: "to", value: WeekGrid.rfc3339(grid.interval.to)),
        ]
        if let school { query.append(URLQueryItem(name: "schoolId", value: school)) }
        let (occurrences, data) = try await global.client().get([Occurrence].self, "timetable", query: query)
        output(global.json ? String(decoding: data, as: UTF8.self) : grid.render(occurrences))
    }
}
