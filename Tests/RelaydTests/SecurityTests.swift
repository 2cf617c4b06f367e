import Foundation
import ProcessTestSupport
import Testing

/// The API's door: no secrets where no token is needed, and guessing the token is throttled.
@Suite(.serialized)
struct SecurityTests {
    @Test func metricsAndHealthzExposeNoSecrets() async throws {
        let relay = try await RelaydServer(config: RelaydServer.timetableConfig)
        let token = relay.adminToken
        #expect(!token.isEmpty)
        let created = try await Curl.call(
            relay.apiBase + "/schools", method: "POST", token: token,
            body: #"{"id":"c1","name":"Central","role":"central"}"#
        )
        #expect(created.status == 201, "\(created.body)")
        let key = try #require(
            (try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])?["key"] as? String
        )
        // A publish attempt with a wrong key, and failed API calls, so counters have something to say.
        _ = try await Curl.call(relay.apiBase + "/schools", token: "wrong-\(key)")
        _ = try await runTool("ffprobe", ["-v", "error", relay.url("nosuch") + "?key=\(key)"], timeout: .seconds(15))
        for path in ["/metrics", "/healthz"] {
            let reply = try await Curl.call(relay.server + path)
            #expect(reply.status == 200)
            #expect(!reply.body.contains(token), "\(path) shows the admin token")
            #expect(!reply.body.contains(key), "\(path) shows a school key")
            #expect(!reply.body.lowercased().contains("bearer"))
        }
        // /healthz says where the media listeners are (what classctl uses without flags).
        let health = try JSONSerialization.jsonObject(with: Data(try await Curl.call(relay.server + "/healthz").body.utf8)) as? [String: Any]
        let listeners = health?["listeners"] as? [String: Int]
        #expect(
            listeners?["rtmp"] == relay.rtmpPort && listeners?["srt"] == relay.srtPort && listeners?["http"] == relay.httpPort,
            "\(String(describing: health))")
        #expect(!relay.child.stderr.contains(token))
        #expect(!relay.child.stderr.contains(key))
        #expect(await relay.stop() == 0)
    }

    @Test func failedAuthenticationsLockTheAddressOutWithRetryAfter() async throws {
        let relay = try await RelaydServer(
            config: RelaydServer.timetableConfig + """
                limits:
                  authFailuresPerMinute: 5
                  authLockoutSeconds: 4
                """)
        let token = relay.adminToken
        let schools = relay.apiBase + "/schools"
        for _ in 0..<5 {
            #expect(try await Curl.call(schools, token: "guess", from: "127.0.0.2").status == 401)
        }
        // Locked out: wrong tokens (and none) get 429 with Retry-After ...
        let locked = try await Curl.call(schools, token: "another-guess", from: "127.0.0.2")
        #expect(locked.status == 429, "\(locked.body)")
        let retry = try #require(locked.header("Retry-After").flatMap(Int.init))
        #expect((1...4).contains(retry))
        #expect(locked.body.contains("too_many_failures"))
        #expect(try await Curl.call(schools, from: "127.0.0.2").status == 429)
        // ... while the right token from the same address (staff behind the guesser's NAT) still gets in,
        // and does not lift the lockout for the wrong ones.
        #expect(try await Curl.call(schools, token: token, from: "127.0.0.2").status == 200)
        #expect(try await Curl.call(schools, token: "guess", from: "127.0.0.2").status == 429)
        // Another address is not affected.
        #expect(try await Curl.call(schools, token: token, from: "127.0.0.3").status == 200)
        #expect(try await relay.metric("relay_http_auth_lockouts_total") == 1)
        #expect(try await relay.metric("relay_http_auth_failures_total") >= 5)
        #expect(relay.child.stderr.contains("locking out an address"))
        // After the lockout the right token works again.
        try await Task.sleep(for: .seconds(retry + 1))  // not a condition: the lockout's time has to pass on the relay's clock
        #expect(try await Curl.call(schools, token: token, from: "127.0.0.2").status == 200)
        #expect(await relay.stop() == 0)
    }
}
