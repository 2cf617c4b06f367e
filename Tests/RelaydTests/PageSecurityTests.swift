import Foundation
import ProcessTestSupport
import Testing

/// The pages under a strict Content-Security-Policy (issue #31, item 7; #30, item 5): every
/// page, its assets and its errors carry the policy, `nosniff` and `no-referrer`; no page holds
/// a script or a style of its own (the policy would block it), the WHEP client is one asset
/// every page links; the patrol cookie is `Secure` when `http.secureCookies` (or TLS) says so.
/// (That the pages still work under the policy, Chromium says in WatchPageTests,
/// PatrolPageTests, ReturnFeedTests, RecordingTests and HLSTests, which fail on a violation.)
@Suite(.serialized)
struct PageSecurityTests {
    static let policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        + "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

    /// The three headers, exactly.
    static func expectSecurityHeaders(_ reply: Curl.Reply, _ what: String) {
        #expect(reply.header("Content-Security-Policy") == policy, "\(what): \(reply.headers)")
        #expect(reply.header("X-Content-Type-Options") == "nosniff", "\(what)")
        #expect(reply.header("Referrer-Policy") == "no-referrer", "\(what)")
    }

    /// What in `html` a CSP without 'unsafe-inline' would block: a `<script>` with code (or
    /// without `src`, other than a JSON data block), a `<style>` element, a `style=` or `on…=`
    /// attribute, a `javascript:` URL.
    static func inlineCode(in html: String) -> [String] {
        var found: [String] = []
        let scripts = try! NSRegularExpression(pattern: "<script\\b([^>]*)>(.*?)</script>", options: [.caseInsensitive, .dotMatchesLineSeparators])
        let range = NSRange(html.startIndex..., in: html)
        for match in scripts.matches(in: html, range: range) {
            let attributes = String(html[Range(match.range(at: 1), in: html)!])
            let body = String(html[Range(match.range(at: 2), in: html)!])
            let isData = attributes.contains("type=\"application/json\"")
            if !isData && (!attributes.contains("src=") || !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty) {
                found.append("<script\(attributes)>\(body.prefix(60))")
            }
        }
        for pattern in ["<style\\b", "\\sstyle\\s*=", "\\son[a-z]+\\s*=", "javascript:"] {
            let regex = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            for match in regex.matches(in: html, range: range) { found.append(String(html[Range(match.range, in: html)!])) }
        }
        return found
    }

    /// The `/assets/…` URLs a page links (scripts and style sheets).
    static func assetLinks(in html: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "(?:src|href)=\"(/assets/[^\"]+)\"")
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
            String(html[Range($0.range(at: 1), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
        }
    }

    @Test func everyPageAndAssetCarriesThePolicyAndNoPageHoldsCode() async throws {
        let relay = try await RelaydServer(config: RecordedTimetable.config)
        let keys = try await RecordedTimetable.make(on: relay)
        let base = relay.server
        // A recording, for the replay page.
        let lesson = try MediaTools.publish(to: relay.url("famous?key=\(keys["c1"]!)"), seconds: 30, gop: 50)
        defer { lesson.signal(SIGKILL) }
        let recordings = try await RecordedTimetable.recordings(of: "famous", on: relay, timeout: .seconds(20)) { !$0.isEmpty }
        let recording = try #require(recordings.first?["id"] as? String, "a recording: \(recordings)")

        let login = try await Curl.call(base + "/patrol/login", method: "POST", extra: PatrolPageTests.form(relay.adminToken))
        let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        var pages: [(String, Curl.Reply)] = [
            ("watch", try await Curl.call(base + "/watch/famous?key=\(keys["site-a"]!)")),
            ("teacher", try await Curl.call(base + "/teacher/famous?key=\(keys["c1"]!)")),
            ("patrol login", try await Curl.call(base + "/patrol")),
            ("patrol wall", try await Curl.call(base + "/patrol", extra: ["-H", "Cookie: \(cookie)"])),
            ("console login", try await Curl.call(base + "/console")),
            ("console", try await Curl.call(base + "/console", extra: ["-H", "Cookie: \(cookie)"])),
        ]
        let replay = try await waitUntil(timeout: .seconds(20), every: .milliseconds(250)) {  // until its file has media
            try await Curl.call(base + "/replay/\(recording)?key=\(keys["site-a"]!)")
        } until: {
            $0.status == 200
        }
        pages.append(("replay", replay))

        var assets = Set<String>()
        for (name, page) in pages {
            #expect(page.status == 200, "\(name): \(page.status) \(page.body.prefix(200))")
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true, "\(name)")
            Self.expectSecurityHeaders(page, name)
            #expect(Self.inlineCode(in: page.body).isEmpty, "\(name) holds code of its own: \(Self.inlineCode(in: page.body))")
            let links = Self.assetLinks(in: page.body)
            #expect(links.contains { $0.hasPrefix("/assets/pages.css?v=") }, "\(name) links the style sheet: \(links)")
            assets.formUnion(links)
        }
        // The WHEP client is written once: the three pages that play live link the same asset.
        for name in ["watch", "teacher", "patrol wall"] {
            let links = Self.assetLinks(in: pages.first { $0.0 == name }!.1.body)
            #expect(links.contains { $0.hasPrefix("/assets/whep.js?v=") }, "\(name): \(links)")
        }

        // Errors of the page routes carry the headers too.
        Self.expectSecurityHeaders(try await Curl.call(base + "/watch/famous"), "a refused watch page")
        Self.expectSecurityHeaders(try await Curl.call(base + "/assets/nosuch.js"), "an unknown asset")
        #expect(try await Curl.call(base + "/assets/nosuch.js").status == 404)

        // Each asset: its type, cached for a year under its hash, revalidated without it.
        var scripts: [String: String] = [:]
        for url in assets.sorted() {
            let reply = try await Curl.call(base + url)
            #expect(reply.status == 200, "\(url)")
            let type = reply.header("Content-Type") ?? ""
            #expect(type == (url.contains(".css?") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8"), "\(url): \(type)")
            #expect(reply.header("Cache-Control") == "public, max-age=31536000, immutable", "\(url)")
            let etag = try #require(reply.header("ETag"), "\(url)")
            #expect(
                url.hasSuffix("?v=" + etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))),
                "the URL names the content's hash: \(url) \(etag)")
            Self.expectSecurityHeaders(reply, url)
            let again = try await Curl.call(base + url, extra: ["-H", "If-None-Match: \(etag)"])
            #expect(again.status == 304 && again.body.isEmpty, "\(url) revalidates")
            let path = String(url.split(separator: "?")[0])
            #expect(try await Curl.call(base + path).header("Cache-Control") == "no-cache", "\(path) without its hash")
            if url.contains(".js?") { scripts[path] = reply.body }
        }
        #expect(
            Set(scripts.keys) == [
                "/assets/whep.js", "/assets/whip.js", "/assets/watch.js", "/assets/classroom.js", "/assets/teacher.js", "/assets/patrol.js",
                "/assets/console.js",
            ],
            "\(scripts.keys)"
        )
        // One script per job: whep.js plays (receive-only) and holds the signalling both
        // directions share; whip.js sends a classroom through it.
        let offering = scripts.filter { $0.value.contains("createOffer") }.map(\.key).sorted()
        #expect(offering == ["/assets/whep.js"], "one script makes offers: \(offering)")
        #expect(scripts["/assets/whip.js"]?.contains("RelayWHEP.connect") == true)
        #expect(scripts["/assets/whep.js"]?.contains("sendonly") == false && scripts["/assets/whip.js"]?.contains("recvonly") == false)
        #expect(await relay.stop() == 0)
    }

    /// The session cookie's `Secure`: off on plain HTTP, on with `http.secureCookies: true`
    /// (a TLS proxy in front), on by default when relayd serves TLS itself.
    @Test func thePatrolCookieIsSecureWhenTheConfigSaysSo() async throws {
        func setCookie(_ base: String, token: String) async throws -> String {
            let login = try await Curl.call(base + "/patrol/login", method: "POST", extra: PatrolPageTests.form(token))
            #expect(login.status == 303, "\(login.headers)")
            return login.header("Set-Cookie") ?? ""
        }
        func attributes(_ cookie: String) -> [String] {
            cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        }

        let plain = try await RelaydServer()
        #expect(!attributes(try await setCookie(plain.server, token: plain.adminToken)).contains("Secure"), "plain HTTP, no switch")
        let proxied = try await RelaydServer(config: RelaydServer.openConfig(extra: "http:\n  secureCookies: true"))
        let proxiedCookie = try await setCookie(proxied.server, token: proxied.adminToken)
        #expect(attributes(proxiedCookie).contains("Secure"), "behind a TLS proxy: \(proxiedCookie)")
        // Logout's expiring cookie matches the one it replaces.
        let logout = try await Curl.call(proxied.server + "/patrol/logout", method: "POST")
        #expect(attributes(logout.header("Set-Cookie") ?? "").contains("Secure"))

        // TLS on the HTTP port: Secure by default; the switch can still turn it off.
        let dir = try makeTemporaryDirectory("tls-cookie")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (made, _, madeErr) = try await runTool(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", dir + "/key.pem", "-out", dir + "/cert.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
            ])
        try #require(made == 0, "openssl: \(madeErr)")
        for (switchLine, secure) in [("", true), ("\n  secureCookies: false", false)] {
            let data = dir + "/var\(secure)"
            try """
            http:
              tls: true\(switchLine)
            tls:
              certFile: \(dir)/cert.pem
              keyFile: \(dir)/key.pem
            """.write(toFile: dir + "/relayd.yaml", atomically: true, encoding: .utf8)
            let relay = try ChildProcess(
                RelaydServer.binaryPath,
                [
                    "--config", dir + "/relayd.yaml", "--data-dir", data, "--host", "127.0.0.1",
                    "--rtmp-port", "0", "--http-port", "0", "--webrtc-port", "0", "--srt-port", "0",
                ])
            defer { relay.signal(SIGKILL) }
            let ready = await relay.waitForOutput(timeout: .seconds(30)) { $0.contains("listening https=") }
            try #require(ready, "\(relay.stdout) \(relay.stderr)")
            let https = try #require(RelaydServer.port(of: "https", in: relay.stdout))
            let token = try String(contentsOfFile: data + "/admin.token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let cookie = try await setCookie("https://127.0.0.1:\(https)", token: token)
            #expect(attributes(cookie).contains("Secure") == secure, "TLS\(switchLine): \(cookie)")
        }
    }
}
