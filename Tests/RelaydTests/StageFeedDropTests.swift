import Foundation
import ProcessTestSupport
import Testing

/// An on-stage site whose return feed drops, against the real relayd (`publisher.graceSeconds:
/// 3`): it stays on the stage for the grace period (the program keeps its last picture), then
/// leaves it, logged, and `GET …/stage` no longer lists it; a feed back within the grace period
/// changes nothing.
@Suite(.serialized)
struct StageFeedDropTests {
    static let config = RelaydServer.timetableConfig + "publisher:\n  graceSeconds: 3\ntranscode:\n  enabled: false\n"

    static func onStage(_ relay: RelaydServer, _ central: String) async throws -> [String] {
        let stage = try await RelayAPI(base: relay.apiBase, token: central).call("GET", "/classes/math/stage")
        return stage.object["sites"] as? [String] ?? []
    }

    static func siteFeed(_ relay: RelaydServer, _ key: String) throws -> ChildProcess {
        try ProgramTests.publishColour("red", size: "640x360", kbps: 500, to: relay.url("math~site-a?key=\(key)"))
    }

    @Test func aDroppedFeedLeavesTheStageAfterTheGracePeriod() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let central = keys["central"]!
        let teacher = try ProgramTests.publishColour("blue", size: "1280x720", kbps: 250, to: relay.url("math?key=\(central)"))
        defer { teacher.signal(SIGKILL) }
        let site = try Self.siteFeed(relay, keys["site-a"]!)
        defer { site.signal(SIGKILL) }
        #expect(try await ReturnFeedTests.returnFeeds(relay, count: 1).count == 1)
        #expect(try await RelayAPI(base: relay.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)

        site.signal(SIGKILL)
        let droppedAt = ContinuousClock.now
        #expect(try await Self.onStage(relay, central) == ["site-a"], "the site left before the grace period")
        let stage = try await waitUntil(timeout: .seconds(20), every: .milliseconds(200)) {
            try await Self.onStage(relay, central)
        } until: {
            $0.isEmpty
        }
        let left: Duration? = stage.isEmpty ? ContinuousClock.now - droppedAt : nil
        print("a dropped on-stage feed left the stage after \(left.map { "\($0)" } ?? "never")")
        #expect(left != nil, "the site whose feed dropped stayed on stage")
        #expect((left ?? .zero) >= .seconds(3), "the site left before the grace period")
        #expect(relay.child.stderr.contains("left the stage: its feed dropped"))
        #expect(relay.child.stderr.contains("site=site-a") || relay.child.stderr.contains("site-a"))
        #expect(await relay.stop() == 0)
    }

    @Test func aFeedBackWithinTheGracePeriodStaysOnStage() async throws {
        let relay = try await RelaydServer(config: Self.config)
        let keys = try await ReturnFeedTests.timetable(on: relay)
        let central = keys["central"]!
        let teacher = try ProgramTests.publishColour("blue", size: "1280x720", kbps: 250, to: relay.url("math?key=\(central)"))
        defer { teacher.signal(SIGKILL) }
        let first = try Self.siteFeed(relay, keys["site-a"]!)
        defer { first.signal(SIGKILL) }
        #expect(try await ReturnFeedTests.returnFeeds(relay, count: 1).count == 1)
        #expect(try await RelayAPI(base: relay.apiBase, token: central).call("PUT", "/classes/math/stage", ["sites": ["site-a"]]).status == 200)

        first.signal(SIGKILL)
        let again = try Self.siteFeed(relay, keys["site-a"]!)
        defer { again.signal(SIGKILL) }
        // Watched for twice the grace period: the site stays on stage throughout.
        let until = ContinuousClock.now + .seconds(6)
        while ContinuousClock.now < until {
            #expect(try await Self.onStage(relay, central) == ["site-a"], "a feed back within the grace period left the stage")
            try await Task.sleep(for: .milliseconds(250))  // not a condition: the pace of a watch that must hold throughout
        }
        #expect(!relay.child.stderr.contains("left the stage"))
        #expect(await relay.stop() == 0)
    }
}
