import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import RelayCore

/// 巡课, the patrol wall for the bureau's administrators: `GET /patrol` is a login form for the
/// admin token (`POST /patrol/login`; a wrong token is refused and counted by the API's
/// failed-login limiter), then an HttpOnly, SameSite=Strict session cookie (`Secure` with
/// `http.secureCookies`, by default under TLS) opens the wall: every class in its window now as
/// a muted live tile (WHEP, lowest rung) with its publisher's state, input kbit/s and viewers per
/// site, the classes of the next hour below, a tile opening the class large with sound. The page
/// (`assets/patrol.js` over `assets/whep.js`) polls `GET /patrol/wall.json`; its players post
/// offers to `POST /patrol/whep/<classId>[_<rung>]`, both allowed by the cookie alone.
struct PatrolPage: Sendable {
    let service: ControlPlaneService
    let adminToken: String
    let registry: StreamRegistry?
    let renditions: RenditionDirectory?
    let webRTC: any WebRTCPlaybackHost
    let limiter: FailedAuthLimiter
    let sessions: PatrolSessions
    /// Cookies get `Secure` (`http.secureCookies`: the HTTP port serves TLS, or a proxy in front does).
    let secureCookies: Bool
    let login: MustacheTemplate
    let wall: MustacheTemplate

    init(
        service: ControlPlaneService, adminToken: String, registry: StreamRegistry?, renditions: RenditionDirectory?,
        webRTC: any WebRTCPlaybackHost, limiter: FailedAuthLimiter, sessions: PatrolSessions = PatrolSessions(), secureCookies: Bool
    ) throws {
        self.service = service
        self.adminToken = adminToken
        self.registry = registry
        self.renditions = renditions
        self.webRTC = webRTC
        self.limiter = limiter
        self.sessions = sessions
        self.secureCookies = secureCookies
        login = try PageTemplates.load("patrol-login")
        wall = try PageTemplates.load("patrol")
    }

    func add(to router: Router<RelayRequestContext>) {
        router.get("patrol") { request, _ in
            guard loggedIn(request) else { return html(login.renderPage(["message": ""]), status: .ok) }
            return html(wall.renderPage([:]), status: .ok)
        }
        router.post("patrol/login") { request, context in try await logIn(request, context) }
        router.post("patrol/logout") { request, _ in
            sessions.end(PatrolSessions.id(fromCookieHeader: request.headers[.cookie]))
            var headers = HTTPFields()
            headers[.location] = "/patrol"
            headers[.setCookie] = cookie(value: "", maxAge: 0)
            return Response(status: .seeOther, headers: headers)
        }
        router.get("patrol/wall.json") { request, _ in
            guard loggedIn(request) else { throw APIError.unauthorized }
            return try json(try await wallState())
        }
        router.post("patrol/whep/:name") { request, context in try await offer(request, context) }
    }

    private func loggedIn(_ request: Request) -> Bool {
        sessions.isValid(PatrolSessions.id(fromCookieHeader: request.headers[.cookie]))
    }

    private func cookie(value: String, maxAge: Int) -> String {
        "\(PatrolSessions.cookieName)=\(value); Path=/patrol; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)" + (secureCookies ? "; Secure" : "")
    }

    private func logIn(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        let address = context.remoteAddress?.ipAddress
        var request = request
        let body = String(buffer: try await request.collectBody(upTo: 4096))
        let token = URLComponents(string: "?" + body)?.queryItems?.first { $0.name == "token" }?.value ?? ""
        guard Secrets.constantTimeEquals(token, adminToken) else {
            // Locked out: only a wrong token meets the lockout (the right one always passes); not counted.
            if let address, let seconds = limiter.retryAfter(address) {
                return html(login.renderPage(["message": "登录失败次数过多，请 \(seconds) 秒后再试"]), status: .tooManyRequests)
            }
            if let address { limiter.recordFailure(address) }
            context.logger.notice("patrol login refused", metadata: ["remote": "\(address ?? "?")"])
            return html(login.renderPage(["message": "令牌错误，请重新输入"]), status: .unauthorized)
        }
        if let address { limiter.recordSuccess(address) }
        context.logger.info("patrol login", metadata: ["remote": "\(address ?? "?")"])
        var headers = HTTPFields()
        headers[.location] = "/patrol"
        headers[.setCookie] = cookie(value: sessions.start(), maxAge: Int(sessions.lifetime))
        return Response(status: .seeOther, headers: headers)
    }

    /// What the wall shows: classes in their window now, and those starting within the hour.
    struct WallState: Encodable {
        struct Tile: Encodable {
            let classId, title, program, centralSchool, state: String
            let teacher: String?
            let inputKbps: Int
            /// The rung the tile plays (the lowest), or nil for the source.
            let tileRendition: String?
            let viewers: [Viewer]
            /// The sites' return feeds being published (small tiles beside the lesson).
            let returnFeeds: [ReturnFeed]
        }
        struct ReturnFeed: Encodable {
            let siteId, site, stream: String
            let inputKbps: Int
        }
        struct Viewer: Encodable {
            let siteId: String?
            let `protocol`, rendition: String
        }
        struct Upcoming: Encodable {
            let classId, title, startsAt: String
        }
        let live: [Tile]
        let upcoming: [Upcoming]
    }

    private func wallState() async throws -> WallState {
        let now = Date()
        let schools = Dictionary(try await service.schools().map { ($0.id, $0.name) }) { first, _ in first }
        let occurrences = try await service.timetable(schoolId: nil, from: now.addingTimeInterval(-12 * 3600), to: now.addingTimeInterval(3600))
        var tiles: [WallState.Tile] = []
        var upcoming: [WallState.Upcoming] = []
        var seen = Set<String>()
        for occurrence in occurrences.sorted(by: { $0.startsAt < $1.startsAt }) {
            if occurrence.startsAt > now {
                upcoming.append(.init(classId: occurrence.classId, title: occurrence.title, startsAt: Validation.formatTime(occurrence.startsAt)))
                continue
            }
            guard occurrence.endsAt > now, seen.insert(occurrence.classId).inserted else { continue }
            let schedule = try? await service.classSchedule(occurrence.classId)
            let source = StreamKey(app: "live", name: occurrence.classId)
            let stream = registry?.stream(source)
            let snapshot = stream?.snapshot()
            // Published: live. A stream kept without a publisher: it dropped (the grace period).
            let state = snapshot?.publisher != nil ? "live" : stream != nil ? "lost" : "waiting"
            let live = schedule.map { LiveView.render($0, registry: registry, renditions: renditions, expansion: service.expansion) }
            tiles.append(.init(
                classId: occurrence.classId, title: occurrence.title, program: occurrence.program.rawValue,
                centralSchool: schools[occurrence.centralSchoolId] ?? occurrence.centralSchoolId, state: state,
                teacher: schedule?.teacher, inputKbps: snapshot?.inputKbps ?? 0,
                tileRendition: renditions?.renditions(for: source).last?.name,
                viewers: (live?.viewers ?? []).map { .init(siteId: $0.siteId, protocol: $0.protocol, rendition: $0.rendition) },
                returnFeeds: (live?.returnFeeds ?? []).map {
                    .init(
                        siteId: $0.siteId, site: schools[$0.siteId] ?? $0.siteId,
                        stream: ReturnFeedName(classId: occurrence.classId, siteId: $0.siteId).streamName, inputKbps: $0.inputKbps
                    )
                }
            ))
        }
        return WallState(live: tiles, upcoming: upcoming)
    }

    /// A tile's (or the large view's) WHEP offer, allowed by the patrol session.
    private func offer(_ request: Request, _ context: RelayRequestContext) async throws -> Response {
        guard loggedIn(request) else { throw APIError.unauthorized }
        let (base, rendition) = Rendition.split(name: try context.parameters.require("name"), ladder: renditions?.ladderNames ?? [])
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        do {
            var offer = WebRTCPlaybackRequest(
                stream: StreamKey(app: "live", name: base), rendition: rendition, offer: String(buffer: body),
                grant: AccessGrant(schoolId: nil), remoteAddress: context.remoteAddress?.ipAddress ?? "?"
            )
            offer.limited = false  // the administrator's wall opens a tile per live class at once
            let answer = try await webRTC.startPlayback(offer)
            var headers = HTTPFields()
            headers[.contentType] = "application/sdp"
            headers[.location] = "/whep/sessions/\(answer.sessionID)"
            return Response(status: .created, headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.sdp)))
        } catch let error as WebRTCOfferError {
            throw APIError(HTTPResponse.Status(code: error.httpStatus), error.code.rawValue, error.message)
        }
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        PageTemplates.html(text, status: status)
    }
}
