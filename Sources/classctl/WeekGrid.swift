import Foundation

/// The timetable as a week grid: days across (Mon–Sun), time slots down, one cell per
/// occurrence with its title and program. Pure: the same input gives the same text.
struct WeekGrid {
    /// Midnight Monday of the week, in `zone`.
    let weekStart: Date
    let zone: TimeZone
    /// Widest a day column gets; longer titles are cut with `…`.
    var maxColumnWidth = 22

    init(containing day: Date, zone: TimeZone) {
        self.zone = zone
        weekStart = Self.monday(containing: day, zone: zone)
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        calendar.firstWeekday = 2
        return calendar
    }

    /// The query window: [Monday 00:00, next Monday 00:00) in `zone`.
    var interval: (from: Date, to: Date) {
        (weekStart, calendar.date(byAdding: .day, value: 7, to: weekStart)!)
    }

    static func monday(containing day: Date, zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let start = calendar.startOfDay(for: day)
        let weekday = calendar.component(.weekday, from: start)  // 1 = Sunday
        let back = (weekday + 5) % 7
        return calendar.date(byAdding: .day, value: -back, to: start)!
    }

    /// Parses `yyyy-MM-dd` as a day in `zone`.
    static func parseDay(_ text: String, zone: TimeZone) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.isLenient = false
        return formatter.date(from: text)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    private func formatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }

    /// Renders `occurrences` (others outside the week are ignored).
    func render(_ occurrences: [Occurrence]) -> String {
        let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let dayFormat = formatter("MM-dd")
        let timeFormat = formatter("HH:mm")
        let days = (0..<7).map { calendar.date(byAdding: .day, value: $0, to: weekStart)! }
        let headers = ["Time"] + (0..<7).map { "\(dayNames[$0]) \(dayFormat.string(from: days[$0]))" }

        // slot label -> day -> cell lines
        var slots: [String: [[String]]] = [:]
        var slotOrder: [String: (Date, Date)] = [:]
        for occurrence in occurrences {
            guard let start = Self.parseTimestamp(occurrence.startsAt), let end = Self.parseTimestamp(occurrence.endsAt),
                start >= interval.from, start < interval.to
            else { continue }
            let day = calendar.dateComponents([.day], from: weekStart, to: calendar.startOfDay(for: start)).day ?? 0
            guard (0..<7).contains(day) else { continue }
            let label = "\(timeFormat.string(from: start))-\(timeFormat.string(from: end))"
            let startOfDay = calendar.startOfDay(for: start)
            let order = (
                Date(timeIntervalSinceReferenceDate: start.timeIntervalSince(startOfDay)),
                Date(timeIntervalSinceReferenceDate: end.timeIntervalSince(startOfDay))
            )
            slotOrder[label] = order
            var cells = slots[label] ?? Array(repeating: [], count: 7)
            cells[day] += [
                Render.truncate(occurrence.title, maxColumnWidth),
                Render.truncate("(\(occurrence.program))", maxColumnWidth),
            ]
            slots[label] = cells
        }
        let labels = slots.keys.sorted { lhs, rhs in
            let l = slotOrder[lhs]!, r = slotOrder[rhs]!
            return l.0 != r.0 ? l.0 < r.0 : (l.1 != r.1 ? l.1 < r.1 : lhs < rhs)
        }

        var widths = headers.map(Render.displayWidth)
        for label in labels {
            widths[0] = max(widths[0], Render.displayWidth(label))
            for (day, lines) in slots[label]!.enumerated() {
                for line in lines { widths[day + 1] = max(widths[day + 1], Render.displayWidth(line)) }
            }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        func row(_ cells: [String]) -> String {
            "|" + cells.enumerated().map { " " + Render.pad($0.element, widths[$0.offset]) + " " }.joined(separator: "|") + "|"
        }

        let title = "Week of \(formatter("yyyy-MM-dd").string(from: weekStart)) (\(zone.identifier))"
        var lines = [title, rule, row(headers), rule]
        if labels.isEmpty {
            lines.append("(no classes this week)")
            return lines.joined(separator: "\n") + "\n"
        }
        for label in labels {
            let cells = slots[label]!
            let height = max(1, cells.map(\.count).max() ?? 1)
            for index in 0..<height {
                let first = index == 0 ? label : ""
                lines.append(row([first] + cells.map { index < $0.count ? $0[index] : "" }))
            }
            lines.append(rule)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
