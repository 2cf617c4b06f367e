import ArgumentParser
import Foundation

/// Options every command accepts (also before the command name; see ``ArgumentLifting``).
struct GlobalOptions: ParsableArguments {
    @Option(help: "relayd HTTP address; several, comma-separated, for the nodes of one service (the first that answers is used).")
    var server: String = "http://127.0.0.1:8080"

    @Option(help: "Admin token (default: env CLASSCTL_TOKEN, then --token-file, then ./var/admin.token).")
    var token: String?

    @Option(help: "File holding the admin token.")
    var tokenFile: String?

    @Flag(help: "Print the API's JSON instead of tables.")
    var json = false

    /// The admin token from --token, CLASSCTL_TOKEN, --token-file or ./var/admin.token, in that order.
    func resolvedToken() throws -> String? {
        if let token, !token.isEmpty { return token }
        if let env = ProcessInfo.processInfo.environment["CLASSCTL_TOKEN"], !env.isEmpty { return env }
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CLIError.usage("cannot read token file \(tokenFile)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let text = try? String(contentsOfFile: "var/admin.token", encoding: .utf8) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    /// A client of the first server that answers (of `--server`'s comma-separated list).
    func client() async throws -> APIClient {
        let servers = server.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try await APIClient.firstAnswering(servers.isEmpty ? [server] : servers, token: resolvedToken())
    }
}

/// A failure classctl reports itself, with the exit code the contract gives it.
enum CLIError: Error {
    /// The server answered with an error (exit 1).
    case refused(String)
    /// The server could not be reached (exit 1).
    case unreachable(String)
    /// Bad arguments (exit 2).
    case usage(String)
    /// Something else failed locally (exit 1).
    case failed(String)

    var message: String {
        switch self {
        case .refused(let text), .unreachable(let text), .usage(let text), .failed(let text): text
        }
    }

    var exitCode: Int32 {
        switch self {
        case .usage: 2
        default: 1
        }
    }
}

/// Comma-separated list option value.
func splitList(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}

/// Writes `text` and a newline to stdout.
func output(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
