import ControlPlane
import Foundation
import Hummingbird
import Mustache

/// 管理台, the bureau's console for scheduling staff (`GET /console`, zh-CN): the admin login
/// shared with `/patrol` (`AdminLogin`), then one page (`assets/console.js`) for the week's
/// timetable, classes, schools, pairings and the reports. The page holds no rule of its own: it
/// calls the REST API with the session cookie and the session's CSRF token, which travels in the
/// page's `data-csrf` attribute (`BearerTokenMiddleware`).
struct ConsolePage: Sendable {
    let login: AdminLogin
    let page: MustacheTemplate

    static let heading = "管理台 · 管理员登录"

    init(login: AdminLogin) throws {
        self.login = login
        page = try PageTemplates.load("console")
    }

    func add(to router: Router<RelayRequestContext>) {
        router.get("console") { request, _ in
            guard let csrf = login.csrfToken(request) else { return login.loginForm(page: "console", heading: Self.heading) }
            return PageTemplates.html(page.renderPage(["csrf": csrf]))
        }
        login.add(to: router, page: "console", heading: Self.heading)
    }
}
