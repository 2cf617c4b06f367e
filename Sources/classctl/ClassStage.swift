import ArgumentParser
import Foundation
import RelayAPIModels

extension Classes {
    /// `classctl classes stage <id> [--site S …] [--layout pip|side-by-side] [--clear]`: shows the
    /// stage and raised hands, or puts sites on stage (上台), or ends it (下台).
    struct Stage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set who is on a class's stage (the interactive classroom).",
            discussion:
                "Without --site or --clear it shows the stage and the raised hands. The token may be the admin token or the central school's key."
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Class id.") var id: String
        @Option(name: .customLong("site"), help: "A site to put on stage (up to 3; repeat the option).") var sites: [String] = []
        @Option(help: "pip (the default) or side-by-side.") var layout: String?
        @Flag(help: "End the stage (every site leaves it).") var clear = false

        func validate() throws {
            if clear && !sites.isEmpty { throw ValidationError("--clear and --site do not go together") }
            if layout != nil && sites.isEmpty { throw ValidationError("--layout goes with --site") }
            if let layout, !["pip", "side-by-side"].contains(layout) {
                throw ValidationError("--layout is pip or side-by-side, not '\(layout)'")
            }
        }

        func run() async throws {
            let client = try await global.client()
            let data: Data
            if clear || !sites.isEmpty {
                var body: [String: Any] = ["sites": sites]
                if let layout { body["layout"] = layout }
                data = try await client.send("PUT", "classes/\(id)/stage", body: body)
            } else {
                data = try await client.send("GET", "classes/\(id)/stage")
            }
            output(global.json ? String(decoding: data, as: UTF8.self) : Render.stage(try client.decode(RelayAPI.Stage.self, data)))
        }
    }
}

extension Render {
    /// The stage in two lines: who is on it, and the hands raised.
    static func stage(_ stage: RelayAPI.Stage) -> String {
        let on = stage.sites.isEmpty ? "nobody on stage" : "on stage (\(stage.layout)): \(stage.sites.joined(separator: ", "))"
        let hands =
            stage.hands.isEmpty ? "no hands raised" : "hands raised: " + stage.hands.map { "\($0.siteId) since \($0.since)" }.joined(separator: ", ")
        return on + "\n" + hands
    }
}
