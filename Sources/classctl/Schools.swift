import ArgumentParser
import Foundation

struct Schools: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schools", abstract: "Central schools and teaching sites.",
        subcommands: [Add.self, List.self, Show.self, Update.self, Remove.self, RotateKey.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a school; prints its key once.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Id (generated when omitted).") var id: String?
        @Option(help: "Display name.") var name: String
        @Option(help: "central or site.") var role: String
        @Option(help: "A site's per-classroom downlink in kbit/s (required for sites).") var bandwidthKbps: Int?
        @Option(help: "Region.") var region: String?

        func validate() throws {
            guard ["central", "site"].contains(role) else { throw ValidationError("--role must be central or site") }
        }

        func run() async throws {
            var body: [String: Any] = ["name": name, "role": role]
            if let id { body["id"] = id }
            if let bandwidthKbps { body["bandwidthKbps"] = bandwidthKbps }
            if let region { body["region"] = region }
            let client = try await global.client()
            let data = try await client.send("POST", "schools", body: body)
            if global.json {
                output(String(decoding: data, as: UTF8.self))
                return
            }
            let school = try client.decode(School.self, data)
            output(Render.school(school) + Render.keyNotice(school))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List schools.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let (schools, data) = try await global.client().get([School].self, "schools")
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.schools(schools))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a school.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "School id.") var id: String

        func run() async throws {
            let (school, data) = try await global.client().get(School.self, "schools/\(id)")
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.school(school))
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a school's name, bandwidth or region.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "School id.") var id: String
        @Option(help: "Display name.") var name: String?
        @Option(help: "Downlink in kbit/s.") var bandwidthKbps: Int?
        @Option(help: "Region (empty string clears it).") var region: String?

        func run() async throws {
            var body: [String: Any] = [:]
            if let name { body["name"] = name }
            if let bandwidthKbps { body["bandwidthKbps"] = bandwidthKbps }
            if let region { body["region"] = region.isEmpty ? NSNull() : region }
            guard !body.isEmpty else { throw ValidationError("nothing to change: give --name, --bandwidth-kbps or --region") }
            let client = try await global.client()
            let data = try await client.send("PATCH", "schools/\(id)", body: body)
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.school(try client.decode(School.self, data)))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a school.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "School id.") var id: String

        func run() async throws {
            _ = try await global.client().send("DELETE", "schools/\(id)")
            if !global.json { output("removed school \(id)") }
        }
    }

    struct RotateKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key", abstract: "Replace a school's key; prints the new key once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "School id.") var id: String

        func run() async throws {
            let client = try await global.client()
            let data = try await client.send("POST", "schools/\(id)/rotate-key")
            if global.json {
                output(String(decoding: data, as: UTF8.self))
                return
            }
            let school = try client.decode(School.self, data)
            output(Render.school(school) + Render.keyNotice(school))
        }
    }
}
