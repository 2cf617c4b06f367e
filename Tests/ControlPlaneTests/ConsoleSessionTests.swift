import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import HTTPSurface

/// The API and the console's session (`BearerTokenMiddleware`): accepted only with the session's
/// CSRF token and only from this origin; a Bearer header is judged as a Bearer token whatever
/// the cookie; logout ends it.
struct ConsoleSessionTests {
    @Test func theSessionNeedsItsTokenAndThisOrigin() async throws {
        try await withStore(.sqlite) { service in
            let api = ControlPlaneAPI(service: service, adminToken: "secret-token", registry: nil, metrics: nil)
            let app = Application(router: api.makeRouter())
            try await app.test(.live) { client in
                func send(_ method: HTTPRequest.Method, _ path: String, _ fields: [String: String], body: String? = nil) async throws -> (
                    HTTPResponse.Status, HTTPFields, String
                ) {
                    var headers = HTTPFields()
                    for (name, value) in fields { headers[HTTPField.Name(name)!] = value }
                    let response = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                    return (response.status, response.headers, String(buffer: response.body))
                }
                let (loginStatus, loginHeaders, _) = try await send(
                    .post, "/console/login", ["Content-Type": "application/x-www-form-urlencoded"], body: "token=secret-token"
                )
                #expect(loginStatus == .seeOther)
                #expect(loginHeaders[.location] == "/console")
                let cookie = String(try #require(loginHeaders[.setCookie]).split(separator: ";")[0])
                let (_, _, page) = try await send(.get, "/console", ["Cookie": cookie])
                let csrf = try #require(page.firstMatch(of: /data-csrf="([A-Za-z0-9_\-]+)"/).map { String($0.1) }, "\(page.prefix(400))")

                let session = ["Cookie": cookie, "X-CSRF-Token": csrf]
                func schools(_ extra: [String: String]) async throws -> HTTPResponse.Status {
                    try await send(.get, "/api/v1/schools", session.merging(extra) { $1 }).0
                }
                #expect(try await schools([:]) == .ok)
                #expect(try await schools(["Sec-Fetch-Site": "same-origin"]) == .ok)
                #expect(try await schools(["Sec-Fetch-Site": "same-site"]) == .forbidden)
                #expect(try await schools(["Sec-Fetch-Site": "cross-site"]) == .forbidden)
                #expect(try await schools(["Sec-Fetch-Site": "none"]) == .forbidden)
                #expect(try await schools(["Origin": "https://evil.example"]) == .forbidden)
                #expect(try await schools(["Origin": "null"]) == .forbidden)
                #expect(try await schools(["X-CSRF-Token": ""]) == .forbidden)
                // One character off (never the one it has: a token ending in "A" stayed right, 1 run in 64).
                let wrongLast: Character = csrf.last == "A" ? "B" : "A"
                #expect(try await schools(["X-CSRF-Token": String(csrf.dropLast()) + String(wrongLast)]) == .forbidden)
                #expect(try await send(.get, "/api/v1/schools", ["Cookie": cookie]).0 == .forbidden)
                // A Bearer header is a Bearer token: wrong is 401 whatever the session; right is 200.
                #expect(try await schools(["Authorization": "Bearer wrong"]) == .unauthorized)
                #expect(try await send(.get, "/api/v1/schools", ["Authorization": "Bearer secret-token"]).0 == .ok)
                // Another session's token does not do.
                let (_, otherHeaders, _) = try await send(
                    .post, "/console/login", ["Content-Type": "application/x-www-form-urlencoded"], body: "token=secret-token"
                )
                let other = String(try #require(otherHeaders[.setCookie]).split(separator: ";")[0])
                #expect(try await send(.get, "/api/v1/schools", ["Cookie": other, "X-CSRF-Token": csrf]).0 == .forbidden)
                // Logout: the cookie is nothing any more.
                #expect(try await send(.post, "/console/logout", ["Cookie": cookie]).0 == .seeOther)
                #expect(try await schools([:]) == .unauthorized)
                // A page left open past its session: 401 each time, and not counted as failed logins.
                for _ in 0..<12 { #expect(try await schools([:]) == .unauthorized) }
                #expect(try await send(.get, "/api/v1/schools", ["Authorization": "Bearer secret-token"]).0 == .ok, "not locked out")
            }
        }
    }
}
