import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayAPIModels

/// `GET /api/v1/reports/occurrences` and `/reports/summary` (admin token): JSON, or CSV with
/// `?format=csv` or `Accept: text/csv`. `from` and `to` are RFC 3339 times or `YYYY-MM-DD` dates
/// in the timetable's zone (`to` as a date includes that day).
struct ReportRoutes: Sendable {
    let query: ReportQuery

    func add(to api: RouterGroup<RelayRequestContext>) {
        let query = self.query
        api.get("reports/occurrences") { request, _ in
            let range = try Self.range(request, query.service.expansion)
            let filters = try Self.filters(request)
            let outcomes = try await query.outcomes(from: range.from, to: range.to, schoolId: filters.school, program: filters.program)
            let reports = outcomes.map(RelayAPI.OccurrenceReport.init)
            if try Self.wantsCSV(request) { return Self.csv(ReportCSV.occurrences(reports), name: "occurrences", range.names) }
            return try json(reports)
        }
        api.get("reports/summary") { request, _ in
            let range = try Self.range(request, query.service.expansion)
            let filters = try Self.filters(request)
            let groupBy = Self.param(request, "groupBy") ?? ""
            guard let grouping = ReportSummary.Grouping(rawValue: groupBy) else {
                throw APIError.badRequest("groupBy must be one of school, site, program, week")
            }
            let outcomes = try await query.outcomes(from: range.from, to: range.to, schoolId: filters.school, program: filters.program)
            let rows = ReportSummary(outcomes, by: grouping, timeZone: query.service.expansion.timeZone).rows.map(RelayAPI.SummaryRow.init)
            if try Self.wantsCSV(request) { return Self.csv(ReportCSV.summary(rows), name: "summary-\(grouping.rawValue)", range.names) }
            return try json(rows)
        }
    }

    struct Range {
        var from: Date
        var to: Date
        var names: String
    }

    static func range(_ request: Request, _ expansion: OccurrenceExpansion) throws -> Range {
        guard let fromText = param(request, "from"), let toText = param(request, "to") else {
            throw APIError.badRequest("from and to are required (RFC 3339 times or YYYY-MM-DD dates)")
        }
        let from = try time(fromText, field: "from", expansion, endOfDay: false)
        let to = try time(toText, field: "to", expansion, endOfDay: true)
        guard to > from else { throw APIError.badRequest("to must be after from") }
        guard to.timeIntervalSince(from) <= 366 * 86400 else { throw APIError.badRequest("from..to spans at most 366 days") }
        let safe = { (text: String) in String(text.prefix(10).filter { $0.isNumber || $0 == "-" }) }
        return Range(from: from, to: to, names: "\(safe(fromText))_\(safe(toText))")
    }

    /// A date is its day's start (`to`: the next day's start, so the day is included).
    static func time(_ text: String, field: String, _ expansion: OccurrenceExpansion, endOfDay: Bool) throws -> Date {
        if text.count == 10, let last = expansion.endOfDay(text) {
            let next = last.addingTimeInterval(0.001)
            return endOfDay ? next : next.addingTimeInterval(-86400)
        }
        do {
            return try Validation.parseTime(text, field: field)
        } catch {
            throw APIError.badRequest("\(field) must be an RFC 3339 time or a YYYY-MM-DD date, got '\(text.prefix(40))'")
        }
    }

    static func filters(_ request: Request) throws -> (school: String?, program: Program?) {
        let school = param(request, "schoolId")
        if let school { try Validation.checkID(school, field: "schoolId") }
        var program: Program?
        if let text = param(request, "program") {
            guard let parsed = Program(rawValue: text) else {
                throw APIError.badRequest("program must be one of \(Program.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            program = parsed
        }
        return (school, program)
    }

    static func wantsCSV(_ request: Request) throws -> Bool {
        switch param(request, "format") {
        case "csv": return true
        case "json": return false
        case nil: return request.headers[.accept]?.lowercased().contains("text/csv") ?? false
        case let other?: throw APIError.badRequest("format must be json or csv, got '\(other.prefix(20))'")
        }
    }

    static func param(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name).map { String($0) }
    }

    static func csv(_ text: String, name: String, _ range: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name)-\(range).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
