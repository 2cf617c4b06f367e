import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOPosix
import Recording
import RelayCore
import Testing

@testable import HTTPSurface

/// The routes only: nothing is recorded.
struct NoRecorders: StreamRecorderFactory {
    struct Refused: Error {}
    func record(
        _ key: StreamKey, path: String, registry: StreamRegistry, onEnd: @escaping @Sendable (RecordingEnd, RecordingProgress) -> Void
    ) throws -> any StreamRecording { throw Refused() }
}

/// The OpenAPI document and the router agree: every route is documented, every documented
/// operation is routed, and the served document is `docs/openapi.yaml`.
@Suite
struct OpenAPIRoutesTests {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `body` with the router built as relayd builds it (SQLite store in a temp dir).
    func withRouter(token: String = "t", _ body: (Router<RelayRequestContext>) async throws -> Void) async throws {
        let logger = Logger(label: "t")
        let dir = NSTemporaryDirectory() + "openapi-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try await SQLiteDatabase.open(path: dir + "/relay.db", logger: logger)
        let store = ControlStore(database: db)
        try await store.migrate()
        let service = ControlPlaneService(store: store, logger: logger)
        var api = ControlPlaneAPI(service: service, adminToken: token, registry: nil, metrics: nil)
        api.recordings = RecordingService(
            service: service, registry: StreamRegistry(timerLoop: MultiThreadedEventLoopGroup.singleton.next()),
            factory: NoRecorders(), settings: .init(directory: dir + "/recordings"), logger: logger
        )
        api.classroom = ClassroomService(service: service, windowMinutes: 15)
        let router = api.makeRouter()
        do {
            try await body(router)
        } catch {
            await db.close()
            throw error
        }
        await db.close()
    }

    @Test func everyRouteIsDocumentedAndEveryOperationIsRouted() async throws {
        let documented = try OpenAPIOperations.parse(OpenAPIDocument.text)
        #expect(documented.count >= 17, "parsed \(documented.sorted())")
        try await withRouter { router in
            let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
            #expect(!routed.isEmpty)
            let undocumented = routed.subtracting(documented).sorted()
            let unrouted = documented.subtracting(routed).sorted()
            #expect(undocumented.isEmpty, "routes missing from openapi.yaml: \(undocumented)")
            #expect(unrouted.isEmpty, "documented operations with no route: \(unrouted)")
        }
    }

    @Test func servedDocumentIsDocsOpenAPIYaml() async throws {
        let docs = Self.repoRoot.appendingPathComponent("docs/openapi.yaml").path
        let destination = try FileManager.default.destinationOfSymbolicLink(atPath: docs)
        #expect(destination == "../Sources/HTTPSurface/openapi.yaml", "docs/openapi.yaml is a relative symlink")
        let onDisk = try String(contentsOfFile: docs, encoding: .utf8)
        #expect(OpenAPIDocument.text == onDisk, "the bundled document is docs/openapi.yaml")
        #expect(onDisk.hasPrefix("openapi: 3.0.3\n"))

        try await withRouter(token: "t") { router in
            let app = Application(router: router)
            try await app.test(.router) { client in
                var headers = HTTPFields()
                headers[.authorization] = "Bearer t"
                try await client.execute(uri: "/api/v1/openapi.yaml", method: .get, headers: headers) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/yaml")
                    #expect(String(buffer: response.body) == onDisk)
                }
                try await client.execute(uri: "/api/v1/openapi.yaml", method: .get) { response in
                    #expect(response.status == .unauthorized, "the document needs the token too")
                }
            }
        }
    }

    @Test func parserReadsPathLevelServers() throws {
        let yaml = """
            openapi: 3.0.3
            servers:
              - url: /api/v1
            paths:
              /healthz:
                servers:
                  - url: /
                get:
                  responses: {}
              /things/{id}:
                parameters: []
                get:
                  responses: {}
                delete:
                  responses: {}
            components:
              schemas: {}
            """
        #expect(try OpenAPIOperations.parse(yaml) == ["GET /healthz", "GET /api/v1/things/{id}", "DELETE /api/v1/things/{id}"])
    }
}

/// A deliberately small reader for the parts of an OpenAPI YAML document this test needs:
/// the top-level `servers[0].url`, and under `paths:` each path (2-space indent), its optional
/// path-level `servers[0].url`, and its operations (4-space indent HTTP method keys).
enum OpenAPIOperations {
    struct ParseError: Error, CustomStringConvertible { let description: String }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// "METHOD /full/path" for every operation, the server URL prefixed.
    static func parse(_ text: String) throws -> Set<String> {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> (indent: Int, body: String) in
            var body = String(line)
            if let hash = body.range(of: " #") { body = String(body[..<hash.lowerBound]) }
            let trimmed = body.drop { $0 == " " }
            return (body.count - trimmed.count, String(trimmed).trimmingCharacters(in: .whitespaces))
        }.filter { !$0.body.isEmpty && !$0.body.hasPrefix("#") }

        func serverURL(after index: Int, indent: Int) -> String? {
            // `servers:` at `indent`, then `- url: X` deeper.
            var i = index + 1
            while i < lines.count, lines[i].indent > indent {
                let body = lines[i].body
                if body.hasPrefix("- url:") { return unquote(String(body.dropFirst("- url:".count))) }
                i += 1
            }
            return nil
        }

        var globalServer = ""
        var result: Set<String> = []
        var inPaths = false
        var currentPath: String?
        var pathServer: String?
        var pathMethods: [String] = []

        func flush() {
            guard let path = currentPath else { return }
            let base = (pathServer ?? globalServer).trimmingSuffix("/")
            for m in pathMethods { result.insert("\(m.uppercased()) \(base)\(path)") }
            currentPath = nil
            pathServer = nil
            pathMethods = []
        }

        for (index, line) in lines.enumerated() {
            if line.indent == 0 {
                flush()
                inPaths = line.body == "paths:"
                if line.body == "servers:" {
                    guard let url = serverURL(after: index, indent: 0) else { throw ParseError(description: "servers without url") }
                    globalServer = url
                }
                continue
            }
            guard inPaths else { continue }
            if line.indent == 2 {
                flush()
                guard line.body.hasSuffix(":") else { throw ParseError(description: "unexpected line under paths: \(line.body)") }
                let key = unquote(String(line.body.dropLast()))
                guard key.hasPrefix("/") else { throw ParseError(description: "path must start with /: \(key)") }
                currentPath = key
            } else if line.indent == 4, currentPath != nil, line.body.hasSuffix(":") {
                let key = String(line.body.dropLast())
                if methods.contains(key) { pathMethods.append(key) }
                if key == "servers" { pathServer = serverURL(after: index, indent: 4) }
            }
        }
        flush()
        return result
    }

    static func unquote(_ s: String) -> String {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count >= 2, let f = t.first, f == t.last, f == "\"" || f == "'" { return String(t.dropFirst().dropLast()) }
        return t
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}
