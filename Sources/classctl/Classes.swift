import ArgumentParser
import Foundation

struct Classes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classes", abstract: "Classes on the timetable.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, Stage.self]
    )

    /// The class fields add and update share.
    struct Fields: ParsableArguments {
        @Option(help: "Title.") var title: String?
        @Option(help: "dedicated, master-teacher or famous-school.") var program: String?
        @Option(help: "The teaching central school.") var centralSchoolId: String?
        @Option(help: "Teacher (empty string clears on update).") var teacher: String?
        @Option(help: "Subject (empty string clears on update).") var subject: String?
        @Option(help: "Start, RFC 3339 (e.g. 2026-09-01T08:00:00+08:00).") var startsAt: String?
        @Option(help: "End, RFC 3339.") var endsAt: String?
        @Option(help: "Comma-separated teaching site ids.") var siteIds: String?
        @Option(help: "Repeat on these weekdays, comma-separated (mon,thu); needs --until.") var weekly: String?
        @Option(help: "Last day of the repetition (YYYY-MM-DD).") var until: String?
        @Flag(help: "Remove the repetition (update only).") var noRecurrence = false
        @Option(help: "Record each published occurrence: true or false (default: famous-school classes only).") var record: Bool?

        func validate() throws {
            if let program, !programs.contains(program) {
                throw ValidationError("--program must be one of \(programs.joined(separator: ", "))")
            }
            if (weekly == nil) != (until == nil) { throw ValidationError("--weekly and --until go together") }
            if let weekly {
                let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                for day in splitList(weekly) ?? [] where !days.contains(day) {
                    throw ValidationError("--weekly: \(day) is not one of \(days.joined(separator: ","))")
                }
            }
            if noRecurrence && weekly != nil { throw ValidationError("--no-recurrence conflicts with --weekly") }
        }

        func body(clearingEmpty: Bool) -> [String: Any] {
            var body: [String: Any] = [:]
            if let title { body["title"] = title }
            if let program { body["program"] = program }
            if let centralSchoolId { body["centralSchoolId"] = centralSchoolId }
            for (key, value) in [("teacher", teacher), ("subject", subject)] {
                if let value { body[key] = value.isEmpty && clearingEmpty ? NSNull() : value }
            }
            if let startsAt { body["startsAt"] = startsAt }
            if let endsAt { body["endsAt"] = endsAt }
            if let siteIds = splitList(siteIds) { body["siteIds"] = siteIds }
            if let weekly = splitList(weekly), let until { body["recurrence"] = ["weekly": weekly, "until": until] }
            if noRecurrence { body["recurrence"] = NSNull() }
            if let record { body["record"] = record }
            return body
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put a class on the timetable.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Id (generated when omitted).") var id: String?
        @OptionGroup var fields: Fields

        func validate() throws {
            let missing = [
                ("--title", fields.title), ("--program", fields.program), ("--central-school-id", fields.centralSchoolId),
                ("--starts-at", fields.startsAt), ("--ends-at", fields.endsAt), ("--site-ids", fields.siteIds),
            ]
            .filter { $0.1 == nil }.map(\.0)
            if !missing.isEmpty { throw ValidationError("missing \(missing.joined(separator: ", "))") }
            if fields.noRecurrence { throw ValidationError("--no-recurrence is for update") }
        }

        func run() async throws {
            var body = fields.body(clearingEmpty: false)
            if let id { body["id"] = id }
            let client = try await global.client()
            let data = try await client.send("POST", "classes", body: body)
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.classInfo(try client.decode(ClassInfo.self, data)))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List classes.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (classes, data) = try await global.client().get([ClassInfo].self, "classes")
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.classes(classes))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a class.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var id: String

        func run() async throws {
            let (info, data) = try await global.client().get(ClassInfo.self, "classes/\(id)")
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.classInfo(info))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a class (fields given are changed).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var id: String
        @OptionGroup var fields: Fields

        func run() async throws {
            let body = fields.body(clearingEmpty: true)
            guard !body.isEmpty else { throw ValidationError("nothing to change") }
            let client = try await global.client()
            let data = try await client.send("PATCH", "classes/\(id)", body: body)
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.classInfo(try client.decode(ClassInfo.self, data)))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a class.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var id: String

        func run() async throws {
            _ = try await global.client().send("DELETE", "classes/\(id)")
            if !global.json { output("removed class \(id)") }
        }
    }
}
