import Foundation
import ProcessTestSupport
import Testing

/// The WHEP resource over plain HTTP (curl): content type, malformed offers, CORS, unknown
/// sessions and the session limit. The browser tests cover a real negotiation.
@Suite(.serialized)
struct WHEPHTTPTests {
    static let offerPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("WebRTCTests/Fixtures/chromium-whep-offer.sdp").path

    static func post(_ url: String, contentType: String = "application/sdp", bodyFile: String = offerPath) async throws -> Curl.Reply {
        try await Curl.call(url, method: "POST", extra: ["-H", "Content-Type: \(contentType)", "--data-binary", "@\(bodyFile)"])
    }

    @Test func offersAreCheckedAndAnsweredPerTheContract() async throws {
        let relay = try await RelaydServer(config: RelaydServer.openConfig(extra: "limits:\n  maxWebRTCSessions: 1\n"))
        let base = "http://127.0.0.1:\(relay.httpPort)"

        // CORS preflight and headers on answers.
        let preflight = try await Curl.call(
            base + "/whep/live/math", method: "OPTIONS",
            extra: [
                "-H", "Origin: http://portal.example", "-H", "Access-Control-Request-Method: POST",
            ])
        #expect(preflight.status == 204)
        #expect(preflight.header("Access-Control-Allow-Origin") == "*")
        #expect(preflight.header("Access-Control-Expose-Headers")?.contains("Location") == true)
        #expect(preflight.header("Access-Control-Allow-Methods")?.contains("POST") == true)

        // Not SDP: 415. Malformed SDP: 400 with a message saying what is missing.
        #expect(try await Self.post(base + "/whep/live/math", contentType: "text/plain").status == 415)
        let garbage = try makeTemporaryDirectory("whep") + "/garbage.sdp"
        try "v=0\r\nthis is not an offer\r\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let bad = try await Self.post(base + "/whep/live/math", bodyFile: garbage)
        #expect(bad.status == 400, "\(bad.body)")
        #expect(bad.body.contains("bad_offer"))
        #expect(bad.header("Access-Control-Allow-Origin") == "*", "errors carry CORS too")

        // A real Chromium offer is answered: 201, application/sdp, Location, an ICE-lite answer.
        let answered = try await Self.post(base + "/whep/live/math")
        #expect(answered.status == 201, "\(answered.body)")
        #expect(answered.header("Content-Type") == "application/sdp")
        let location = try #require(answered.header("Location"))
        #expect(location.hasPrefix("/whep/sessions/"))
        #expect(answered.body.contains("a=ice-lite"))
        #expect(answered.body.contains("a=setup:passive"))
        #expect(answered.body.contains("a=sendonly"))
        #expect(answered.body.contains("a=candidate:"))
        #expect(answered.body.contains(" \(relay.webrtcPort) typ host"))

        // At limits.maxWebRTCSessions: 503.
        let full = try await Self.post(base + "/whep/live/math")
        #expect(full.status == 503, "\(full.body)")

        // PATCH (trickle) 204; DELETE ends it; then both are 404.
        #expect(
            try await Curl.call(
                base + location, method: "PATCH",
                extra: ["-H", "Content-Type: application/trickle-ice-sdpfrag", "--data-binary", "a=end-of-candidates"]
            ).status == 204)
        #expect(try await Curl.call(base + location, method: "DELETE").status == 200)
        #expect(try await Curl.call(base + location, method: "DELETE").status == 404)
        #expect(try await Curl.call(base + location, method: "PATCH").status == 404)
        // The slot is free again.
        #expect(try await Self.post(base + "/whep/live/math").status == 201)
    }
}
