import Foundation
import ProcessTestSupport
import Testing

/// The teaching site's player page, in Chromium: it waits for a lesson that has not begun,
/// starts by itself when the central school publishes, and plays over WHEP, under its
/// Content-Security-Policy (watch_page.py exits 3 on a violation; `open` then throws).
@Suite(.serialized)
struct WatchPageTests {
    static func open(_ url: String, timeout: Double, extra: [String] = []) async throws -> [String: Any] {
        try await result(of: try start(url, timeout: timeout, extra: extra))
    }

    /// watch_page.py, running: it prints `{"loaded": true, …}` once the page is up, its result last.
    static func start(_ url: String, timeout: Double, extra: [String] = []) throws -> ChildProcess {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/watch_page.py").path
        return try ChildProcess("/usr/bin/python3", [script, url, "--timeout", "\(timeout)"] + extra)
    }

    static func result(of browser: ChildProcess) async throws -> [String: Any] {
        let code = await browser.wait(timeout: .seconds(120))
        let (out, err) = (browser.stdout, browser.stderr)
        guard code == 0, let line = out.split(separator: "\n").last,
            let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw TestFailure("the browser did not run (exit \(code.map(String.init) ?? "?")): \(out) \(err)") }
        return json
    }

    @Test func theWatchPageWaitsForTheLessonThenPlaysIt() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\n")
        let keys = try await OneClassTimetable.make(
            on: relay, classId: "yuwen", title: "语文：静夜思", bandwidthKbps: 3000, extra: ["teacher": "李老师", "subject": "语文"]
        )
        let base = "http://127.0.0.1:\(relay.httpPort)/watch/yuwen"
        let siteKey = keys["site-a"]!

        // Refusals: no key 401, another school's key 403, no such class 404.
        #expect(try await Curl.call(base).status == 401)
        #expect(try await Curl.call(base + "?key=\(keys["stranger"]!)").status == 403)
        #expect(try await Curl.call("http://127.0.0.1:\(relay.httpPort)/watch/nosuch?key=\(keys["site-a"]!)").status == 404)
        let html = try await Curl.call(base + "?key=\(keys["site-a"]!)")
        #expect(html.status == 200)
        #expect(html.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(html.body.contains("lang=\"zh-CN\""))
        #expect(!html.body.contains("http://") && !html.body.contains("https://"), "no external assets")
        #expect(html.header("Content-Security-Policy")?.contains("script-src 'self'") == true)

        // The page is open before the lesson; the central school starts 3 s later.
        let browser = try Self.start(base + "?key=\(siteKey)", timeout: 40)
        defer { browser.signal(SIGKILL) }
        #expect(await browser.waitForOutput(timeout: .seconds(60)) { $0.contains("\"loaded\"") }, "\(browser.stderr)")
        let publisher = try MediaTools.publishLesson(to: relay.url("yuwen?key=\(keys["central"]!)"), seconds: 40, size: "854x480")
        defer { publisher.signal(SIGKILL) }
        let result = try await Self.result(of: browser)
        #expect(result["status"] as? Int == 200, "\(result)")
        #expect(result["lang"] as? String == "zh-CN")
        #expect(result["title"] as? String == "语文：静夜思")
        #expect(result["teacher"] as? String == "李老师")
        #expect(result["initialState"] as? String == "未开始")
        #expect(result["advanced"] as? Bool == true, "the video plays by itself once the lesson starts: \(result)")
        #expect((result["videoWidth"] as? Int ?? 0) > 0)
        #expect(result["state"] as? String == "直播中")
        #expect((result["cspViolations"] as? [Any])?.isEmpty == true, "the page works under its CSP: \(result)")
    }
}
