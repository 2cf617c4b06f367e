import ControlPlane
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import RelayCore

/// The administrators' login shared by `/patrol` and `/console`: a form for the admin token
/// (`POST /<page>/login`; a wrong token is refused and counted by the API's failed-login
/// limiter), then one HttpOnly, SameSite=Strict session cookie with `Path=/` (`Secure` with
/// `http.secureCookies`), so one login serves both pages and the console's API requests.
/// `POST /<page>/logout` ends the session.
struct AdminLogin: Sendable {
    let adminToken: String
    let limiter: FailedAuthLimiter
    let sessions: PatrolSessions
    let secureCookies: Bool
    let form: MustacheTemplate

    init(adminToken: String, limiter: FailedAuthLimiter, sessions: PatrolSessions, secureCookies: Bool) throws {
        self.adminToken = adminToken
        self.limiter = limiter
        self.sessions = sessions
        self.secureCookies = secureCookies
        form = try PageTemplates.load("patrol-login")
    }

    /// `page` is `patrol` or `console`: the form posts to `/<page>/login`, which returns to `/<page>`.
    func add(to router: Router<RelayRequestContext>, page: String, heading: String) {
        router.post("\(page)/login") { request, context in try await logIn(request, context, page: page, heading: heading) }
        router.post("\(page)/logout") { request, _ in
            sessions.end(PatrolSessions.id(fromCookieHeader: request.headers[.cookie]))
            var headers = HTTPFields()
            headers[.location] = "/\(page)"
            headers[.setCookie] = cookie(value: "", maxAge: 0)
            return Response(status: .seeOther, headers: headers)
        }
    }

    func loggedIn(_ request: Request) -> Bool {
        sessions.isValid(PatrolSessions.id(fromCookieHeader: request.headers[.cookie]))
    }

    /// The session's CSRF token, for the page to carry (nil: not logged in).
    func csrfToken(_ request: Request) -> String? {
        sessions.csrfToken(PatrolSessions.id(fromCookieHeader: request.headers[.cookie]))
    }

    func loginForm(page: String, heading: String, message: String = "", status: HTTPResponse.Status = .ok) -> Response {
        PageTemplates.html(form.renderPage(["message": message, "action": "/\(page)/login", "heading": heading]), status: status)
    }

    private func cookie(value: String, maxAge: Int) -> String {
        "\(PatrolSessions.cookieName)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)" + (secureCookies ? "; Secure" : "")
    }

    private func logIn(_ request: Request, _ context: RelayRequestContext, page: String, heading: String) async throws -> Response {
        let address = context.remoteAddress?.ipAddress
        var request = request
        let body: String
        do {
            body = String(buffer: try await request.collectBody(upTo: 4096))
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the login form is larger than 4096 bytes")
        }
        let token = URLComponents(string: "?" + body)?.queryItems?.first { $0.name == "token" }?.value ?? ""
        guard Secrets.constantTimeEquals(token, adminToken) else {
            // Locked out: only a wrong token meets the lockout (the right one always passes); not counted.
            if let address, let seconds = limiter.retryAfter(address) {
                return loginForm(page: page, heading: heading, message: "登录失败次数过多，请 \(seconds) 秒后再试", status: .tooManyRequests)
            }
            if let address { limiter.recordFailure(address) }
            context.logger.notice("admin login refused", metadata: ["remote": "\(address ?? "?")", "page": "\(page)"])
            return loginForm(page: page, heading: heading, message: "令牌错误，请重新输入", status: .unauthorized)
        }
        if let address { limiter.recordSuccess(address) }
        context.logger.info("admin login", metadata: ["remote": "\(address ?? "?")", "page": "\(page)"])
        var headers = HTTPFields()
        headers[.location] = "/\(page)"
        headers[.setCookie] = cookie(value: sessions.start(), maxAge: Int(sessions.lifetime))
        return Response(status: .seeOther, headers: headers)
    }
}
