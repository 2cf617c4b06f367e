import Foundation
import ProcessTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small JSON client for relayd's REST API.
struct RelayAPI: Sendable {
    let base: String
    let token: String

    struct Reply: @unchecked Sendable {
        let status: Int
        let json: Any?
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    }

    func call(_ method: String, _ path: String, _ body: Any? = nil, rawBody: Data? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 20
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let rawBody { request.httpBody = rawBody }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return Reply(status: status, json: data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }
}

extension RelaydServer {
    var api: RelayAPI { RelayAPI(base: apiBase, token: adminToken) }
}

func rfc3339(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: date)
}
