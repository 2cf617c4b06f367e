public import Cluster
public import ControlPlane
public import Foundation
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
public import Recording
import RelayAPIModels
public import RelayCore

/// The REST API (`/api/v1`), `/healthz` and `/metrics` on one Hummingbird router.
public struct ControlPlaneAPI: Sendable {
    public let service: ControlPlaneService
    public let adminToken: String
    public let registry: StreamRegistry?
    public let metrics: RelayMetrics?
    /// The rungs being transcoded per class, for the live view.
    public let renditions: RenditionDirectory?
    public var maxBodyBytes = 64 * 1024
    /// Locks out addresses that fail authentication too often (429 with Retry-After).
    public var authLimiter = FailedAuthLimiter()
    /// The WebRTC media server and the access policy its WHEP, watch-page and HTTP-FLV routes
    /// ask (nil: none of those routes).
    public var webRTC: (host: any WebRTCPlaybackHost, policy: any AccessPolicy)?
    /// The listeners' ports, reported by `/healthz` (nil: status only).
    public var listeners: ListenerPorts?
    /// The patrol wall's session cookie is `Secure` (`http.secureCookies`; by default when the
    /// HTTP port serves TLS, and to be set behind a proxy that does).
    public var secureCookies = false
    /// The HLS packager and the access policy its multivariant playlists ask (nil: no HLS).
    public var hls: (host: any HLSHost, policy: any AccessPolicy)?
    /// The recorder and its catalogue (nil: no recording routes).
    public var recordings: RecordingService?
    /// Hands and the stage of the interactive classroom (nil: no such routes, no `stage` in the live view).
    public var classroom: ClassroomService?
    /// HTTP-FLV's adaptive players, as RTMP's: the bandwidth assumed where a site's grant has
    /// none (`player.defaultBandwidthKbps`) and the rung selection (`player.*`).
    public var flvDefaultBandwidthKbps: Int?
    public var flvRenditionSelection = RenditionSelector.Configuration()
    /// The administrators' login sessions (`/patrol`, `/console`), which the API accepts with a
    /// CSRF token (`BearerTokenMiddleware`).
    let adminSessions = PatrolSessions()
    /// `auth.windowMinutes` in seconds: the reports count sessions this long around an occurrence.
    public var reportWindow: TimeInterval = 15 * 60

    public init(
        service: ControlPlaneService, adminToken: String, registry: StreamRegistry?, metrics: RelayMetrics?,
        renditions: RenditionDirectory? = nil
    ) {
        self.renditions = renditions
        self.service = service
        self.adminToken = adminToken
        self.registry = registry
        self.metrics = metrics
    }

    public func makeRouter() -> Router<RelayRequestContext> {
        let router = Router(context: RelayRequestContext.self)
        router.middlewares.add(SecurityHeadersMiddleware())
        router.middlewares.add(ErrorMappingMiddleware())
        router.middlewares.add(MetricsMiddleware())
        let listeners = self.listeners
        router.get("healthz") { _, _ in try json(Health(status: "ok", listeners: listeners?.all)) }
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = metrics?.render() ?? ""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let api = router.group("api/v1").add(middleware: BearerTokenMiddleware(token: adminToken, limiter: authLimiter, sessions: adminSessions))
        api.get("openapi.yaml") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
        addSchools(api)
        addPairings(api)
        switch PageAssets.bundled {
        case .success(let assets): assets.add(to: router)
        case .failure(let error): Logger(label: "relay.http").error("the pages' assets are not served", metadata: ["error": "\(error)"])
        }
        addClasses(api)
        if let classroom {
            ClassroomRoutes(classroom: classroom, adminToken: adminToken, limiter: authLimiter, registry: registry, maxBodyBytes: maxBodyBytes)
                .add(to: router)
        }
        ReportRoutes(query: ReportQuery(service: service, window: reportWindow)).add(to: api)
        if let recordings {
            do {
                let routes = try RecordingRoutes(
                    recordings: recordings, access: RecordingAccess(service: service, adminToken: adminToken, limiter: authLimiter)
                )
                routes.addCatalogue(to: api)
                routes.addMedia(to: router)
            } catch {
                Logger(label: "relay.http").error("recordings are not served", metadata: ["error": "\(error)"])
            }
        }
        if let policy = webRTC?.policy, let registry {
            FLVRoutes(
                policy: policy, registry: registry, renditions: renditions, defaultBandwidthKbps: flvDefaultBandwidthKbps,
                selection: flvRenditionSelection
            ).add(to: router)
        }
        if let hls {
            HLSRoutes(host: hls.host, policy: hls.policy, tokens: HLSTokens()).add(to: router)
        }
        let adminLogin: AdminLogin?
        do {
            let login = try AdminLogin(adminToken: adminToken, limiter: authLimiter, sessions: adminSessions, secureCookies: secureCookies)
            try ConsolePage(login: login).add(to: router)
            adminLogin = login
        } catch {
            adminLogin = nil
            Logger(label: "relay.http").error("the console is not served", metadata: ["error": "\(error)"])
        }
        if let webRTC {
            WHEPRoutes(host: webRTC.host, policy: webRTC.policy, ladder: renditions?.ladderNames ?? []).add(to: router)
            do {
                try WatchPage(service: service, policy: webRTC.policy, registry: registry).add(to: router)
                try TeacherWall(service: service, policy: webRTC.policy, registry: registry).add(to: router)
                // The patrol wall's tiles play over WHEP: served with the WebRTC server.
                if let adminLogin {
                    var patrol = try PatrolPage(service: service, registry: registry, renditions: renditions, webRTC: webRTC.host, login: adminLogin)
                    patrol.classroom = classroom
                    patrol.add(to: router)
                }
            } catch {
                Logger(label: "relay.http").error(
                    "the watch page, the teacher wall and the patrol wall are not served", metadata: ["error": "\(error)"])
            }
        }
        return router
    }

    private func body(_ request: Request) async throws -> Data {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(maxBodyBytes) bytes")
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(maxBodyBytes) bytes")
        }
    }

    private func addSchools(_ api: RouterGroup<RelayRequestContext>) {
        let service = self.service
        api.post("schools") { request, _ in
            let (school, key) = try await service.createSchool(try await body(request))
            return try json(RelayAPI.School(school, key: key), status: .created)
        }
        api.get("schools") { _, _ in try json(try await service.schools()) }
        api.get("schools/:id") { _, context in try json(try await service.school(try context.parameters.require("id"))) }
        api.patch("schools/:id") { request, context in
            try json(try await service.updateSchool(try context.parameters.require("id"), try await body(request)))
        }
        api.delete("schools/:id") { _, context in
            try await service.deleteSchool(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
        api.post("schools/:id/rotate-key") { _, context in
            let (school, key) = try await service.rotateKey(try context.parameters.require("id"))
            return try json(RelayAPI.School(school, key: key))
        }
    }

    private func addPairings(_ api: RouterGroup<RelayRequestContext>) {
        let service = self.service
        api.post("pairings") { request, _ in try json(try await service.createPairing(try await body(request)), status: .created) }
        api.get("pairings") { _, _ in try json(try await service.pairings()) }
        api.delete("pairings/:id") { _, context in
            try await service.deletePairing(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
    }

    private func addClasses(_ api: RouterGroup<RelayRequestContext>) {
        let service = self.service
        let registry = self.registry
        let classroom = self.classroom
        api.post("classes") { request, _ in
            try json(RelayAPI.Class(try await service.createClass(try await body(request))), status: .created)
        }
        api.get("classes") { _, _ in try json(try await service.classes().map { RelayAPI.Class($0) }) }
        api.get("classes/:id") { _, context in
            try json(RelayAPI.Class(try await service.classSchedule(try context.parameters.require("id"))))
        }
        api.patch("classes/:id") { request, context in
            try json(RelayAPI.Class(try await service.updateClass(try context.parameters.require("id"), try await body(request))))
        }
        api.delete("classes/:id") { _, context in
            try await service.deleteClass(try context.parameters.require("id"))
            return Response(status: .noContent)
        }
        api.get("classes/:id/live") { _, context in
            let schedule = try await service.classSchedule(try context.parameters.require("id"))
            var view = LiveView.render(schedule, registry: registry, renditions: renditions, expansion: service.expansion)
            if let classroom, let stage = try? await classroom.stage(schedule.id) { view.stage = ClassroomRoutes.output(stage) }
            return try json(view)
        }
        api.get("nodes") { _, _ in
            let now = Date()
            return try json(try await service.store.nodes().map { RelayAPI.Node($0, now: now) })
        }
        api.get("timetable") { request, _ in
            let query = request.uri.queryParameters
            let from = try query.get("from").map { try Validation.parseTime(String($0), field: "from") } ?? Date()
            let to =
                try query.get("to").map { try Validation.parseTime(String($0), field: "to") }
                ?? from.addingTimeInterval(7 * 86400)
            guard to > from else { throw APIError.badRequest("to must be after from") }
            guard to.timeIntervalSince(from) <= 366 * 86400 else { throw APIError.badRequest("from..to spans at most 366 days") }
            let school: String? = query.get("schoolId").map { String($0) }
            return try json(try await service.timetable(schoolId: school, from: from, to: to).map { RelayAPI.Occurrence($0) })
        }
    }
}

/// `GET /healthz`: the relay answers, and where its media listeners are.
struct Health: Encodable {
    let status: String
    let listeners: [String: Int]?
}

/// Encodes `value` as a JSON response.
func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var headers = HTTPFields()
    headers[.contentType] = "application/json; charset=utf-8"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

/// Requires `Authorization: Bearer <admin token>`, compared in constant time. The right token
/// always passes; from an address that failed too often anything else is refused with 429 (the
/// staff behind a school's NAT are not locked out by a guesser sharing their address).
///
/// Without an Authorization header, the console's admin session (`sessions`, the `/patrol` and
/// `/console` login cookie) is accepted for a same-origin request that carries the session's CSRF
/// token as `X-CSRF-Token`; a request with the cookie that is cross-site (`Sec-Fetch-Site` other
/// than `same-origin`, or an `Origin` that is not this host) or lacks the token is refused with 403.
/// A present Authorization header is always judged as a Bearer token, never the cookie. This
/// middleware guards `/api/v1` only: the session authorizes no media, WHIP or WHEP route.
struct BearerTokenMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let token: String
    let limiter: FailedAuthLimiter
    var sessions: PatrolSessions?

    static var csrfHeader: HTTPField.Name { HTTPField.Name("X-CSRF-Token")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let address = context.remoteAddress?.ipAddress
        if request.headers[.authorization] == nil, let sessions,
            let expected = sessions.csrfToken(PatrolSessions.id(fromCookieHeader: request.headers[.cookie]))
        {
            guard Self.sameOrigin(request) else {
                throw APIError(.forbidden, "cross_site", "the console's session is not accepted from another site")
            }
            guard let sent = request.headers[Self.csrfHeader], Secrets.constantTimeEquals(sent, expected) else {
                throw APIError(.forbidden, "csrf", "the console's session needs its X-CSRF-Token")
            }
            return try await next(request, context)
        }
        // A lapsed or ended console session is not a guess at the admin token: 401, not counted
        // (a page left open past its 8 h must not lock its office's address out of the API).
        if request.headers[.authorization] == nil, sessions != nil, PatrolSessions.id(fromCookieHeader: request.headers[.cookie]) != nil {
            throw APIError.unauthorized
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            Secrets.constantTimeEquals(String(header.dropFirst("Bearer ".count)), token)
        else {
            if let address, let seconds = limiter.retryAfter(address) {
                throw APIError.tooManyFailures(retryAfter: seconds)
            }
            if let address { limiter.recordFailure(address) }
            throw APIError.unauthorized
        }
        if let address { limiter.recordSuccess(address) }
        return try await next(request, context)
    }

    /// The browser says the request comes from this origin: `Sec-Fetch-Site`, when sent, is
    /// `same-origin`, and `Origin`, when sent, names this request's host (and port).
    static func sameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin" { return false }
        if let origin = request.headers[HTTPField.Name("Origin")!] {
            guard let authority = request.head.authority ?? request.headers[HTTPField.Name("Host")!],
                let host = origin.range(of: "://").map({ String(origin[$0.upperBound...]) }),
                host.lowercased() == authority.lowercased()
            else { return false }
        }
        return true
    }
}

/// Turns every error into the API's JSON error shape; nothing escapes as a bare 500.
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as ControlPlaneError {
            throw APIError(error)
        } catch let error as HTTPError {
            switch error.status {
            case .notFound: throw APIError(.notFound, "not_found", "no such route: \(request.method) \(request.uri.path)")
            case .methodNotAllowed: throw APIError(.methodNotAllowed, "method_not_allowed", "\(request.method) is not allowed here")
            case .contentTooLarge: throw APIError(.contentTooLarge, "too_large", "the body is too large")
            case .badRequest: throw APIError(.badRequest, "invalid_request", error.body ?? "bad request")
            default: throw APIError(error.status, "error", error.body ?? error.status.reasonPhrase)
            }
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal", "internal error")
        }
    }
}
