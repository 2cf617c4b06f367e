import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HTTPSurface

/// Runs `body` with a client of the API served over real HTTP (HummingbirdTesting `.live`).
func withLiveAPI(_ service: ControlPlaneService, token: String = "secret-token", _ body: @escaping @Sendable (API) async throws -> Void) async throws
{
    let api = ControlPlaneAPI(service: service, adminToken: token, registry: nil, metrics: nil)
    let app = Application(router: api.makeRouter())
    try await app.test(.live) { client in
        try await body(API(client: client, token: token))
    }
}

struct Reply {
    let status: HTTPResponse.Status
    let json: Any?
    let text: String

    var object: [String: Any] { json as? [String: Any] ?? [:] }
    var array: [[String: Any]] { json as? [[String: Any]] ?? [] }
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String { ((object["error"] as? [String: Any])?["message"] as? String) ?? "" }
}

struct API: Sendable {
    let client: any TestClientProtocol
    let token: String

    func call(_ method: HTTPRequest.Method, _ path: String, _ body: Any? = nil, raw: String? = nil, token: String? = nil) async throws -> Reply {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token ?? self.token)"
        var buffer: ByteBuffer?
        if let raw { buffer = ByteBuffer(string: raw) }
        if let body { buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)) }
        if buffer != nil { headers[.contentType] = "application/json" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: buffer)
        let text = String(buffer: response.body)
        let json = text.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return Reply(status: response.status, json: json, text: text)
    }
}

/// An RFC 3339 time `minutes` from a base instant.
func at(_ base: Date, _ minutes: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: base.addingTimeInterval(minutes * 60))
}
