import Foundation
import ProcessTestSupport
import Testing

/// 巡课: the patrol wall with curl (the login, its cookie, the wall's data, logout, the shared
/// failed-login limiter) and in Chromium (a wrong token's message, two live classes as playing
/// tiles, a tile saying its publisher dropped, a tile opened large with sound, the next hour's
/// classes listed).
@Suite(.serialized)
struct PatrolPageTests {
    static func form(_ token: String) -> [String] {
        ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", "token=\(token)"]
    }

    /// Two more classes: `yuwen` live now (central `central-2`, site `site-b`) and `yingyu`
    /// starting in 30 minutes (central `central-3`, site `site-c`).
    static func moreClasses(on relay: RelaydServer) async throws -> [String: String] {
        var keys: [String: String] = [:]
        for (id, role) in [("central-2", "central"), ("site-b", "site"), ("central-3", "central"), ("site-c", "site")] {
            var body: [String: Any] = ["id": id, "name": id == "central-2" ? "实验二小" : id, "role": role]
            if role == "site" { body["bandwidthKbps"] = 4000 }
            let reply = try await relay.api.call("POST", "/schools", body)
            try #require(reply.status == 201)
            keys[id] = reply.object["key"] as? String
        }
        for (central, site) in [("central-2", "site-b"), ("central-3", "site-c")] {
            try #require(
                try await relay.api.call("POST", "/pairings", ["centralSchoolId": central, "siteId": site, "program": "dedicated"]).status == 201)
        }
        let now = Date()
        for (id, title, central, site, start) in [("yuwen", "语文", "central-2", "site-b", -60.0), ("yingyu", "英语", "central-3", "site-c", 1800.0)] {
            let lesson: [String: Any] = [
                "id": id, "title": title, "program": "dedicated", "centralSchoolId": central,
                "startsAt": rfc3339(now.addingTimeInterval(start)), "endsAt": rfc3339(now.addingTimeInterval(start + 3600)), "siteIds": [site],
            ]
            try #require(try await relay.api.call("POST", "/classes", lesson).status == 201)
        }
        return keys
    }

    @Test func anAdministratorPatrolsEveryLiveClass() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\npublisher:\n  graceSeconds: 30\n")
        let keys = try await OneClassTimetable.make(on: relay, classId: "math", title: "数学", bandwidthKbps: 8000, extra: ["teacher": "王老师"])
        let more = try await Self.moreClasses(on: relay)
        let math = try MediaTools.publishLesson(to: relay.url("math?key=\(keys["central"]!)"), seconds: 90, size: "854x480", rate: 15)
        defer { math.signal(SIGKILL) }
        let yuwen = try MediaTools.publishLesson(to: relay.url("yuwen?key=\(more["central-2"]!)"), seconds: 90, size: "854x480", rate: 15)
        defer { yuwen.signal(SIGKILL) }
        // site-a sends its classroom back (互动课堂): a small tile beside math's.
        let returnFeed = try MediaTools.publish(to: relay.url("math~site-a?key=\(keys["site-a"]!)"), seconds: 90, size: "320x180")
        defer { returnFeed.signal(SIGKILL) }
        let base = relay.server

        // The login: a form; a wrong token 401 with a message and no cookie; the right one a
        // 303 to the wall with an HttpOnly, SameSite=Strict session cookie.
        let form = try await Curl.call(base + "/patrol")
        #expect(form.status == 200)
        #expect(form.body.contains("name=\"token\""))
        #expect(form.body.contains("lang=\"zh-CN\""))
        let wrong = try await Curl.call(base + "/patrol/login", method: "POST", extra: Self.form("wrong"))
        #expect(wrong.status == 401)
        #expect(wrong.body.contains("令牌错误"))
        #expect(wrong.header("Set-Cookie") == nil)
        let login = try await Curl.call(base + "/patrol/login", method: "POST", extra: Self.form(relay.adminToken))
        #expect(login.status == 303)
        #expect(login.header("Location") == "/patrol")
        let setCookie = try #require(login.header("Set-Cookie"))
        for attribute in ["relay_patrol=", "HttpOnly", "SameSite=Strict", "Path=/;", "Max-Age="] {
            #expect(setCookie.contains(attribute), "\(setCookie)")
        }
        #expect(!setCookie.contains("Secure"), "plain HTTP here")
        let cookie = String(setCookie.split(separator: ";")[0])

        // The wall's data needs the cookie; so do the tiles' offers.
        #expect(try await Curl.call(base + "/patrol/wall.json").status == 401)
        #expect(
            try await Curl.call(base + "/patrol/whep/math", method: "POST", extra: ["-H", "Content-Type: application/sdp", "--data-binary", "v=0"])
                .status == 401)
        let live = try await waitUntil(timeout: .seconds(40), every: .milliseconds(500)) {
            let wall = try await Curl.call(base + "/patrol/wall.json", extra: ["-H", "Cookie: \(cookie)"])
            #expect(wall.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(wall.body.utf8)) as? [String: Any] ?? [:]
            let upcoming = object["upcoming"] as? [[String: Any]] ?? []
            #expect(upcoming.contains { $0["classId"] as? String == "yingyu" })
            return object["live"] as? [[String: Any]] ?? []
        } until: { live in
            let feeds = live.first { $0["classId"] as? String == "math" }?["returnFeeds"] as? [[String: Any]] ?? []
            return live.filter({ $0["state"] as? String == "live" }).count == 2 && feeds.count == 1
        }
        #expect(Set(live.compactMap { $0["classId"] as? String }) == ["math", "yuwen"], "\(live)")
        #expect(live.first { $0["classId"] as? String == "yuwen" }?["centralSchool"] as? String == "实验二小")
        let mathFeeds = live.first { $0["classId"] as? String == "math" }?["returnFeeds"] as? [[String: Any]] ?? []
        #expect(mathFeeds.map { $0["stream"] as? String } == ["math~site-a"], "\(live)")
        #expect(live.allSatisfy { ($0["onStage"] as? [String]) == [] }, "nobody on stage yet: \(live)")
        // site-a goes on stage: its class's tile says so (互动中), by the site's name.
        #expect(try await relay.api.call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)
        let staged = try await Curl.call(base + "/patrol/wall.json", extra: ["-H", "Cookie: \(cookie)"])
        let stagedLive = (try JSONSerialization.jsonObject(with: Data(staged.body.utf8)) as? [String: Any])?["live"] as? [[String: Any]] ?? []
        #expect(stagedLive.first { $0["classId"] as? String == "math" }?["onStage"] as? [String] == ["site-a"], "\(stagedLive)")
        #expect(stagedLive.first { $0["classId"] as? String == "yuwen" }?["onStage"] as? [String] == [])
        #expect(try await relay.api.call("PUT", "/classes/math/stage", ["sites": []]).status == 200)

        // In Chromium: both tiles play; one class's publisher drops and its tile says so.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/patrol_wall.py").path
        let browser = try ChildProcess(
            "/usr/bin/python3", [script, base, "--token", relay.adminToken, "--tiles", "2", "--feeds", "1", "--wait-lost", "30"])
        defer { browser.signal(SIGKILL) }
        let ready = try await waitUntil(timeout: .seconds(60), every: .milliseconds(500)) {
            browser.stdout.contains("READY ")
        }
        try #require(ready, "the wall came up: \(browser.stdout) \(browser.stderr)")
        yuwen.signal(SIGKILL)
        _ = try await waitUntil(timeout: .seconds(60), every: .milliseconds(500)) { !browser.process.isRunning }
        let line = try #require(browser.stdout.split(separator: "\n").last)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(browser.stdout) \(browser.stderr)")
        #expect(result["loginForm"] as? Bool == true)
        #expect((result["cspViolations"] as? [Any])?.isEmpty == true, "the login form and the wall work under their CSP: \(result)")
        #expect((result["wrongTokenMessage"] as? String)?.contains("令牌错误") == true, "\(result)")
        let browserCookie = result["cookie"] as? [String: Any]
        #expect(browserCookie?["httpOnly"] as? Bool == true)
        #expect(browserCookie?["sameSite"] as? String == "Strict")
        let tiles = result["tiles"] as? [[String: Any]] ?? []
        #expect(tiles.filter { $0["state"] as? String == "live" && ($0["width"] as? Int ?? 0) > 0 }.count == 2, "two playing tiles: \(tiles)")
        #expect(tiles.allSatisfy { ($0["colours"] as? Int ?? 0) > 8 }, "the tiles' pictures are not blank: \(tiles)")
        #expect(tiles.contains { ($0["text"] as? String)?.contains("王老师") == true })
        let feedTiles = tiles.first { $0["classId"] as? String == "math" }?["feeds"] as? [[String: Any]] ?? []
        #expect(
            feedTiles.count == 1 && feedTiles.first?["site"] as? String == "site-a" && (feedTiles.first?["width"] as? Int) == 320,
            "site-a's return feed plays beside math: \(tiles)")
        #expect((result["upcoming"] as? String)?.contains("英语") == true)
        let afterDrop = result["afterDrop"] as? [[String: Any]] ?? []
        let dropped = afterDrop.first { $0["classId"] as? String == "yuwen" }
        #expect(dropped?["state"] as? String == "lost", "\(afterDrop)")
        #expect((dropped?["text"] as? String)?.contains("信号中断") == true)
        let large = result["large"] as? [String: Any]
        #expect((large?["width"] as? Int ?? 0) > 0, "a tile opens its class large: \(result)")
        #expect(large?["muted"] as? Bool == false, "with sound")

        // Logout ends the session; failed logins count in the API's limiter (10, then 429 for
        // wrong tokens; the right one still gets in).
        let logout = try await Curl.call(base + "/patrol/logout", method: "POST", extra: ["-H", "Cookie: \(cookie)"])
        #expect(logout.status == 303)
        #expect(logout.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await Curl.call(base + "/patrol/wall.json", extra: ["-H", "Cookie: \(cookie)"]).status == 401)
        for _ in 0..<10 { _ = try await Curl.call(base + "/patrol/login", method: "POST", extra: Self.form("guess")) }
        #expect(try await Curl.call(base + "/patrol/login", method: "POST", extra: Self.form("guess")).status == 429)
        #expect(try await Curl.call(relay.apiBase + "/schools", token: "guess").status == 429, "the same limiter as the API")
        #expect(try await Curl.call(base + "/patrol/login", method: "POST", extra: Self.form(relay.adminToken)).status == 303)
        #expect(try await Curl.call(relay.apiBase + "/schools", token: relay.adminToken).status == 200)
    }
}
