import Foundation
import ProcessTestSupport
import Testing

/// 管理台: the console with curl (the shared admin login, the API taking the session only with
/// its CSRF token and only from this origin, never for WHIP, never over a Bearer token) and in
/// Chromium (login, the week's grid showing a class made through the API, a class made through
/// the form appearing in the API, a 409 in words beside the form, a school's key shown once,
/// the held-rate chart as SVG, no CSP violation).
@Suite(.serialized)
struct ConsoleTests {
    @Test func schedulingStaffKeepTheTimetableInTheBrowser() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        _ = try await OneClassTimetable.make(on: relay, classId: "yuwen", title: "语文（接口）", bandwidthKbps: 4000)
        let base = relay.server
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/console.py").path
        let (code, out, err) = try await runTool(
            "/usr/bin/python3",
            [
                script, base, "--token", relay.adminToken, "--api-title", "语文（接口）", "--central", "central", "--site", "site-a",
                "--screenshot", NSTemporaryDirectory() + "console.png",
            ],
            timeout: .seconds(120)
        )
        let line = try #require(out.split(separator: "\n").last, "console.py said nothing: \(err)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(out) \(err)")
        #expect(code == 0, "\(err)")
        #expect(result["error"] == nil, "the browser got through: \(result)")
        #expect(result["loginForm"] as? Bool == true)
        #expect((result["url"] as? String)?.hasSuffix("/console") == true, "after login, back to the console: \(result)")
        let cookie = result["cookie"] as? [String: Any]
        #expect(cookie?["httpOnly"] as? Bool == true && cookie?["sameSite"] as? String == "Strict" && cookie?["path"] as? String == "/", "\(result)")
        #expect(result["gridHasApiClass"] as? Bool == true, "the grid shows the class made through the API: \(result)")
        let conflict = result["conflictError"] as? String ?? ""
        #expect(conflict.contains("时间冲突") && conflict.contains("yuwen"), "a 409 in words, naming the other class: \(conflict)")
        #expect(result["gridHasFormClass"] as? Bool == true, "\(result)")
        #expect((result["keyBox"] as? String)?.contains("rtmp://") == true, "a new key is shown with its URLs: \(result)")
        #expect(result["chartSvg"] as? Bool == true, "the held rate per week is an SVG chart: \(result)")
        #expect(result["attendanceChartSvg"] as? Bool == true, "attendance per site is an SVG chart: \(result)")
        #expect((result["occurrences"] as? [String])?.contains { $0.contains("语文（接口）") } == true, "the occurrence list: \(result)")
        #expect((result["reportError"] as? String)?.isEmpty == true, "\(result)")
        #expect((result["cspViolations"] as? [Any])?.isEmpty == true, "the console works under its CSP: \(result)")

        // The class made through the form is in the API, as the form said.
        let made = try await relay.api.call("GET", "/classes/form-class")
        #expect(made.status == 200)
        #expect(made.object["title"] as? String == "物理（表单）" && made.object["subject"] as? String == "物理", "\(made.object)")
        #expect(made.object["teacher"] as? String == "张老师", "edited through the form: \(made.object) \(result)")
        #expect(try await relay.api.call("GET", "/classes/form-gone").status == 404, "deleted through the form: \(result)")
        #expect(result["deletedFromGrid"] as? Bool == true)
        #expect(
            result["nextWeekHasWeekly"] as? Bool == true && result["nextWeekHasOneOff"] as? Bool == false,
            "next week: the weekly class only: \(result)")
        let weekly = try await relay.api.call("GET", "/classes/form-weekly")
        #expect((weekly.object["recurrence"] as? [String: Any])?["weekly"] as? [String] != nil, "\(weekly.object)")
        #expect((result["pairingsAfterCreate"] as? [String])?.count == 1 && result["pairingDeletedInPage"] as? Bool == true, "\(result)")
        #expect(result["weeklyError"] as? [String] == [""], "the weekly class was saved: \(result)")
        #expect(
            !(try await relay.api.call("GET", "/pairings")).array.contains { $0["siteId"] as? String == "form-site" },
            "the pairing made in the page was deleted there")
        #expect(result["csvFirstBytes"] as? [Int] == [0xEF, 0xBB, 0xBF], "the CSV download, with its BOM: \(result)")
        #expect((result["csvHead"] as? String)?.contains("classId,title") == true, "\(result)")
        #expect(made.object["siteIds"] as? [String] == ["site-a"])
        #expect(try await relay.api.call("GET", "/classes/form-clash").status == 404, "the refused class was not made")
        #expect(try await relay.api.call("GET", "/schools/form-site").status == 200)

        // The same login through curl: the cookie and the page's CSRF token.
        let login = try await Curl.call(base + "/console/login", method: "POST", extra: PatrolPageTests.form(relay.adminToken))
        #expect(login.status == 303 && login.header("Location") == "/console")
        let session = String(try #require(login.header("Set-Cookie")).split(separator: ";")[0])
        let page = try await Curl.call(base + "/console", extra: ["-H", "Cookie: \(session)"])
        let csrf = try #require(page.body.firstMatch(of: /data-csrf="([A-Za-z0-9_\-]+)"/).map { String($0.1) }, "\(page.body.prefix(600))")
        #expect(try await Curl.call(base + "/patrol/wall.json", extra: ["-H", "Cookie: \(session)"]).status == 200, "one session serves both pages")

        func create(_ id: String, _ headers: [String]) async throws -> Int {
            let body = "{\"id\":\"\(id)\",\"name\":\"\(id)\",\"role\":\"site\",\"bandwidthKbps\":2000}"
            var extra = ["-H", "Cookie: \(session)"]
            for header in headers { extra += ["-H", header] }
            return try await Curl.call(relay.apiBase + "/schools", method: "POST", body: body, extra: extra).status
        }
        // Refused, and nothing made: the cookie without the token; a cross-site request with it.
        #expect(try await create("no-token", []) == 403)
        #expect(try await create("wrong-token", ["X-CSRF-Token: \(String(csrf.reversed()))"]) == 403)
        #expect(try await create("foreign-origin", ["X-CSRF-Token: \(csrf)", "Origin: https://evil.example"]) == 403)
        #expect(try await create("cross-site", ["X-CSRF-Token: \(csrf)", "Sec-Fetch-Site: cross-site"]) == 403)
        // A cross-site HTML form's POST, as a browser that sent the cookie would make it.
        let form = try await Curl.call(
            relay.apiBase + "/schools", method: "POST",
            extra: [
                "-H", "Cookie: \(session)", "-H", "Origin: https://evil.example", "-H", "Sec-Fetch-Site: cross-site",
                "-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "id=form-post&name=x&role=site",
            ])
        #expect(form.status == 403)
        // A Bearer header is judged as a Bearer token, whatever the cookie.
        #expect(try await create("bad-bearer", ["X-CSRF-Token: \(csrf)", "Authorization: Bearer wrong"]) == 401)
        let schools = try await relay.api.call("GET", "/schools")
        let ids = Set(schools.array.compactMap { $0["id"] as? String })
        #expect(ids.isDisjoint(with: ["no-token", "wrong-token", "foreign-origin", "cross-site", "form-post", "bad-bearer"]), "\(ids)")

        // Same origin with the token: accepted.
        let sameOrigin = try await create("same-origin", ["X-CSRF-Token: \(csrf)", "Origin: \(base)", "Sec-Fetch-Site: same-origin"])
        #expect(sameOrigin == 201)
        // The session never authorizes WHIP.
        let whip = try await Curl.call(
            base + "/whip/live/yuwen", method: "POST",
            extra: [
                "-H", "Cookie: \(session)", "-H", "X-CSRF-Token: \(csrf)", "-H", "Content-Type: application/sdp", "--data-binary", "v=0",
            ])
        #expect(whip.status == 401 || whip.status == 403, "WHIP wants the central school's key: \(whip.status)")

        // Logout ends the session for the API too.
        #expect(try await Curl.call(base + "/console/logout", method: "POST", extra: ["-H", "Cookie: \(session)"]).status == 303)
        #expect(try await create("after-logout", ["X-CSRF-Token: \(csrf)"]) == 401)
    }
}
