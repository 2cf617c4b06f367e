import Foundation
import ProcessTestSupport
import Testing

/// The interactive classroom's hands and stage over the REST API, against the real relayd: who
/// may raise, lower and set what, and the refusals the contract names.
@Suite(.serialized)
struct ClassroomStageTests {
    @Test func sitesRaiseHandsAndTheCentralSchoolPutsALiveSiteOnStage() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\npublisher:\n  graceSeconds: 2\n")
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let (central, siteA, siteB, stranger) = (keys["central"]!, keys["site-a"]!, keys["site-b"]!, keys["stranger"]!)
        func client(_ key: String) -> RelayAPI { RelayAPI(base: relay.apiBase, token: key) }

        // A site raises its hand; the central school and the other site see it.
        let raised = try await client(siteA).call("POST", "/classes/math/hands")
        #expect(raised.status == 200, "\(raised.object)")
        #expect((raised.object["hands"] as? [[String: Any]])?.map { $0["siteId"] as? String } == ["site-a"])
        _ = try await client(siteB).call("POST", "/classes/math/hands")
        let seen = try await client(central).call("GET", "/classes/math/stage")
        #expect(seen.status == 200)
        #expect((seen.object["hands"] as? [[String: Any]])?.compactMap { $0["siteId"] as? String } == ["site-a", "site-b"])
        #expect(seen.object["sites"] as? [String] == [] && seen.object["layout"] as? String == "pip")
        #expect(try await client(siteB).call("GET", "/classes/math/stage").status == 200)

        // Who may not: no key or a wrong one (401 whether or not the class exists), a school of
        // no class (403), the admin raising a hand (a site's act), a class not open now.
        #expect(try await client("").call("GET", "/classes/math/stage").status == 401)
        #expect(try await client("wrong-key").call("GET", "/classes/math/stage").status == 401)
        #expect(try await client("wrong-key").call("GET", "/classes/nosuch/stage").status == 401)
        #expect(try await client(stranger).call("GET", "/classes/math/stage").status == 403)
        #expect(try await client(stranger).call("POST", "/classes/math/hands").status == 403)
        #expect(try await relay.api.call("POST", "/classes/math/hands").status == 403)
        let closed = try await client(siteA).call("POST", "/classes/later/hands")
        #expect(closed.status == 403 && "\(closed.object)".contains("not open now"), "\(closed.object)")

        // Lowering: another site may not; the central school may.
        #expect(try await client(siteA).call("DELETE", "/classes/math/hands/site-b").status == 403)
        let lowered = try await client(central).call("DELETE", "/classes/math/hands/site-b")
        #expect(lowered.status == 200)
        #expect((lowered.object["hands"] as? [[String: Any]])?.compactMap { $0["siteId"] as? String } == ["site-a"])

        // The stage: only the central school or the admin sets it, and only with live sites.
        #expect(try await client(siteA).call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 403)
        let dark = try await client(central).call("PUT", "/classes/math/stage", ["sites": ["site-a"]])
        #expect(dark.status == 409 && "\(dark.object)".contains("site-a"), "\(dark.object)")
        let tooMany = try await client(central).call("PUT", "/classes/math/stage", ["sites": ["site-a", "site-b", "x", "y"]])
        #expect(tooMany.status == 422, "\(tooMany.object)")
        #expect(try await client(central).call("PUT", "/classes/math/stage", ["sites": ["stranger"]]).status == 422)
        let layout = try await client(central).call("PUT", "/classes/math/stage", ["sites": [], "layout": "mosaic"])
        #expect(layout.status == 422 && "\(layout.object)".contains("mosaic"))
        #expect(try await client(central).call("PUT", "/classes/math/stage", rawBody: Data("{".utf8)).status == 400)

        // site-a sends its classroom; now it can go on stage, and its hand comes down.
        let feed = try MediaTools.publish(to: relay.url("math~site-a?key=\(siteA)"), seconds: 60)
        defer { feed.signal(SIGKILL) }
        #expect(try await ReturnFeedTests.returnFeeds(relay, count: 1).count == 1)
        let staged = try await client(central).call("PUT", "/classes/math/stage", ["sites": ["site-a"], "layout": "side-by-side"])
        #expect(staged.status == 200, "\(staged.object)")
        #expect(staged.object["sites"] as? [String] == ["site-a"] && staged.object["layout"] as? String == "side-by-side")
        #expect((staged.object["hands"] as? [[String: Any]])?.isEmpty == true, "\(staged.object)")
        #expect(staged.object["since"] is String)
        // The live view carries the same stage.
        let live = try await relay.api.call("GET", "/classes/math/live").object
        #expect((live["stage"] as? [String: Any])?["sites"] as? [String] == ["site-a"], "\(live)")
        // classctl shows it with the central school's key, and --clear ends it.
        let classctl = (RelaydServer.binaryPath as NSString).deletingLastPathComponent + "/classctl"
        func run(_ arguments: String...) async throws -> (Int32?, String, String) {
            try await runTool(classctl, ["--server", relay.server, "--token", central] + arguments, timeout: .seconds(30))
        }
        let shown = try await run("classes", "stage", "math")
        #expect(shown.0 == 0 && shown.1.contains("on stage (side-by-side): site-a"), "\(shown)")
        #expect(try await run("classes", "stage", "math", "--clear", "--site", "site-b").0 == 2)
        let cleared = try await run("classes", "stage", "math", "--clear")
        #expect(cleared.0 == 0 && cleared.1.contains("nobody on stage"), "\(cleared)")
        let refused = try await run("classes", "stage", "math", "--site", "site-b")
        #expect(refused.0 == 1 && refused.2.contains("site-b"), "\(refused)")
        // An empty list ends it through the API too.
        let ended = try await relay.api.call("PUT", "/classes/math/stage", ["sites": []])
        #expect(ended.status == 200 && ended.object["sites"] as? [String] == [])
        #expect(relay.child.stderr.contains("stage changed"))
        for key in [central, siteA, siteB, stranger] { #expect(!relay.child.stderr.contains(key)) }
        #expect(await relay.stop() == 0)
    }

    /// Chromium as the site and its teacher: the watch page raises the hand and sends the
    /// classroom over WHIP (the fake camera), the teacher's wall shows the hand and its 上台 puts
    /// the site on stage, the watch page sees it and stops sending on request.
    @Test func aSiteRaisesItsHandAndSendsItsClassroomAndTheTeacherPutsItOnStageInChromium() async throws {
        let relay = try await RelaydServer(config: "auth:\n  mode: timetable\npublisher:\n  graceSeconds: 2\n")
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Browser/classroom.py").path
        let (code, out, err) = try await runTool(
            "/usr/bin/python3",
            [
                script, relay.server, "math", "--site-key", keys["site-a"]!, "--central-key", keys["central"]!, "--site", "site-a",
            ], timeout: .seconds(120))
        let line = out.split(separator: "\n").last.map(String.init) ?? ""
        let page = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "exit \(code.map(String.init) ?? "?"): \(out) \(err)")
        #expect(code == 0, "\(page)")
        #expect((page["cspViolations"] as? [Any])?.isEmpty == true, "\(page)")
        #expect(page["handButton"] as? String == "放下")
        #expect(page["badge"] as? String == "✋ 举手")
        #expect(page["stageButton"] as? String == "下台")
        #expect((page["cameras"] as? Int ?? 0) >= 1)
        // What the pages showed is what the relay holds: the site's feed came over WebRTC (WHIP),
        // and the stage held it until the page stopped sending.
        #expect(relay.child.stderr.contains("math~site-a"), "the WHIP publish is logged")
        let stage = try await relay.api.call("GET", "/classes/math/stage").object
        #expect(stage["sites"] as? [String] == ["site-a"] && (stage["hands"] as? [Any])?.isEmpty == true, "\(stage)")
        #expect(await relay.stop() == 0)
    }
}
