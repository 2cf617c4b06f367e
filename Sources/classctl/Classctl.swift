import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Classctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classctl",
        abstract: "ClassroomRelay operator tool: schools, pairings, classes, the timetable, and broadcasts.",
        discussion: """
            Global options (before or after the command): --server URL (default http://127.0.0.1:8080), \
            --token T (or env CLASSCTL_TOKEN), --token-file F (default ./var/admin.token when present), --json.
            Exit codes: 0 ok, 1 refused by the server or server unreachable, 2 usage error.
            """,
        subcommands: [Schools.self, Pairings.self, Classes.self, Timetable.self, Broadcast.self, Recordings.self, Reports.self, Demo.self]
    )

    static func main() async {
        let arguments = ArgumentLifting.lift(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            // ArgumentParser uses 64 (EX_USAGE) for usage errors; the contract says 2.
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Rewrites argv before ArgumentParser sees it: global options given before the command
/// move to the end (every leaf command declares them), and a bare `--week` gets `today`.
enum ArgumentLifting {
    static let valued: Set<String> = ["--server", "--token", "--token-file"]
    static let flags: Set<String> = ["--json"]

    static func lift(_ arguments: [String]) -> [String] {
        var front: [String] = []
        var moved: [String] = []
        var index = 0
        var sawCommand = false
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                front += arguments[index...]
                break
            }
            if !sawCommand, valued.contains(argument), index + 1 < arguments.count {
                moved += [argument, arguments[index + 1]]
                index += 2
                continue
            }
            if !sawCommand, flags.contains(argument) || valued.contains(where: { argument.hasPrefix($0 + "=") }) {
                moved.append(argument)
                index += 1
                continue
            }
            if !argument.hasPrefix("-") { sawCommand = true }
            front.append(argument)
            if argument == "--week", index + 1 >= arguments.count || arguments[index + 1].hasPrefix("-") {
                front.append("today")
            }
            index += 1
        }
        if let separator = front.firstIndex(of: "--") {
            front.insert(contentsOf: moved, at: separator)
            return front
        }
        return front + moved
    }
}
