import ArgumentParser
import Foundation

let programs = ["dedicated", "master-teacher", "famous-school"]

struct Pairings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairings", abstract: "Which teaching sites a central school teaches, per program.",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pair a site with a central school for a program.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Id (generated when omitted).") var id: String?
        @Option(help: "The central school.") var centralSchoolId: String
        @Option(help: "The teaching site.") var siteId: String
        @Option(help: "dedicated, master-teacher or famous-school.") var program: String

        func validate() throws {
            guard programs.contains(program) else { throw ValidationError("--program must be one of \(programs.joined(separator: ", "))") }
        }

        func run() async throws {
            var body: [String: Any] = ["centralSchoolId": centralSchoolId, "siteId": siteId, "program": program]
            if let id { body["id"] = id }
            let client = try await global.client()
            let data = try await client.send("POST", "pairings", body: body)
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.pairings([try client.decode(Pairing.self, data)]))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pairings.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (pairings, data) = try await global.client().get([Pairing].self, "pairings")
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.pairings(pairings))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a pairing.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Pairing id.") var id: String

        func run() async throws {
            _ = try await global.client().send("DELETE", "pairings/\(id)")
            if !global.json { output("removed pairing \(id)") }
        }
    }
}
