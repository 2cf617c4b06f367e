import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A small client for relayd's REST API (`/api/v1`), mapping failures to ``CLIError``.
struct APIClient: Sendable {
    let server: String
    let base: URL
    let token: String?

    init(server: String, token: String?) throws {
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed + "/api/v1"), let scheme = url.scheme, ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw CLIError.usage("--server must be an http(s) URL, e.g. http://127.0.0.1:8080 (got \(server))")
        }
        self.server = trimmed
        self.base = url
        self.token = token
    }

    /// The first of `servers` whose `/healthz` answers within 3 s; with one server (or when none
    /// answers) the first, whose requests then say it cannot be reached.
    static func firstAnswering(_ servers: [String], token: String?) async throws -> APIClient {
        let clients = try servers.map { try APIClient(server: $0, token: token) }
        guard clients.count > 1 else { return clients[0] }
        for client in clients where await client.answers() { return client }
        return clients[0]
    }

    /// Whether the relay answers `GET /healthz` within 3 s.
    func answers() async -> Bool {
        guard let url = URL(string: "/healthz", relativeTo: base) else { return false }
        var request = URLRequest(url: url.absoluteURL)
        request.timeoutInterval = 3
        guard let (_, response) = try? await URLSession.shared.data(for: request) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// The server's host name (for media URLs).
    var host: String { base.host ?? "127.0.0.1" }

    /// The relay's listener ports from `GET /healthz` (`rtmp`, `srt`, …); empty when it does
    /// not say (an older relay) or cannot be reached.
    func listenerPorts() async -> [String: Int] {
        guard let url = URL(string: "/healthz", relativeTo: base) else { return [:] }
        var request = URLRequest(url: url.absoluteURL)
        request.timeoutInterval = 5
        guard let (data, _) = try? await URLSession.shared.data(for: request),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let ports = object["listeners"] as? [String: Int]
        else { return [:] }
        return ports
    }

    /// Where the relay's RTMP and SRT listeners are: the given bases, else the ports `/healthz`
    /// reports on the API's host, else the default ports.
    func mediaBases(rtmp: String?, srt: String?) async -> (rtmp: String, srt: String) {
        let ports = rtmp == nil || srt == nil ? await listenerPorts() : [:]
        return (
            rtmp ?? "rtmp://\(host):\(ports["rtmp"] ?? 1935)",
            srt ?? "srt://\(host):\(ports["srt"] ?? 10080)"
        )
    }

    /// Sends a request; returns the body of a 2xx answer.
    func send(_ method: String, _ path: String, query: [URLQueryItem] = [], body: [String: Any]? = nil) async throws -> Data {
        let (status, data) = try await attempt(method, path, query: query, body: body)
        guard (200..<300).contains(status) else { throw refusal(status, data) }
        return data
    }

    /// Sends a request and returns the HTTP status with the body, whatever the status
    /// (for create-if-missing flows that must tell 404 and 409 from other answers).
    func attempt(
        _ method: String, _ path: String, query: [URLQueryItem] = [], body: [String: Any]? = nil
    ) async throws -> (status: Int, data: Data) {
        var components = URLComponents(url: base.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.timeoutInterval = 15
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CLIError.unreachable("cannot reach relayd at \(server): \(Self.describe(error))")
        }
        guard let http = response as? HTTPURLResponse else {
            throw CLIError.unreachable("no HTTP answer from \(server)")
        }
        return (http.statusCode, data)
    }

    /// The ``CLIError`` for an unexpected answer.
    func refusal(_ status: Int, _ data: Data) -> CLIError {
        .refused(Self.errorMessage(status: status, body: data, hasToken: token != nil))
    }

    /// Sends a request and decodes the answer.
    func get<T: Decodable>(_ type: T.Type, _ path: String, query: [URLQueryItem] = []) async throws -> (T, Data) {
        let data = try await send("GET", path, query: query)
        return (try decode(type, data), data)
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw CLIError.failed("unexpected answer from \(server): \(error)")
        }
    }

    static func errorMessage(status: Int, body: Data, hasToken: Bool) -> String {
        struct Envelope: Decodable {
            struct Inner: Decodable {
                let code: String?
                let message: String
            }
            let error: Inner
        }
        var text: String
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: body) {
            text = envelope.error.message
            if let code = envelope.error.code { text += " (\(status) \(code))" }
        } else {
            text = "HTTP \(status)"
        }
        if status == 401 && !hasToken {
            text += "; no admin token: pass --token, set CLASSCTL_TOKEN, or use --token-file"
        }
        return text
    }

    private static func describe(_ error: any Error) -> String {
        if let urlError = error as? URLError {
            switch urlError.code {
            case .cannotConnectToHost: return "connection refused"
            case .timedOut: return "timed out"
            case .cannotFindHost: return "unknown host"
            default: break
            }
        }
        return error.localizedDescription
    }
}
