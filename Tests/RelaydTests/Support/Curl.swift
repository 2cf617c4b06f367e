import Foundation
import ProcessTestSupport

/// curl as an independent HTTP client: it can speak from another loopback address
/// (`--interface`) and over TLS (`-k`), which URLSession here cannot.
enum Curl {
    struct Reply {
        let status: Int
        let headers: String
        let body: String
        func header(_ name: String) -> String? {
            for line in headers.split(separator: "\r\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
            return nil
        }
    }

    static func call(
        _ url: String, method: String = "GET", token: String? = nil, body: String? = nil, from source: String? = nil,
        extra: [String] = []
    ) async throws -> Reply {
        var args = ["-sS", "-k", "-D", "-", "-X", method, "--max-time", "20"]
        if let token { args += ["-H", "Authorization: Bearer \(token)"] }
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
        if let source { args += ["--interface", source] }
        let (code, out, err) = try await runTool("curl", args + extra + [url], timeout: .seconds(30))
        guard code == 0 else { throw TestFailure("curl \(url) failed (\(code.map(String.init) ?? "?")): \(err)") }
        let split = out.components(separatedBy: "\r\n\r\n")
        let head = split.first ?? ""
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        return Reply(status: status, headers: head, body: split.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
