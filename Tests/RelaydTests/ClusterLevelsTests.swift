import Foundation
import ProcessTestSupport
import Testing

/// Levels (`cluster.upstream`): a county's relay pulls a city's lesson on demand, presenting a
/// site key of the city's own timetable, so the city's access rules decide; one pull for all
/// the county's players, and a county the city does not admit gets nothing.
@Suite(.serialized)
struct ClusterLevelsTests {
    /// A city relay (timetable) with a class now whose site is the county; returns it, the
    /// county's key there and the publisher of the lesson.
    static func city() async throws -> (RelaydServer, countyKey: String, ChildProcess) {
        let city = try await RelaydServer(config: "auth:\n  mode: timetable\ntranscode:\n  enabled: false\n")
        let central = try await city.api.call("POST", "/schools", ["id": "famous", "name": "名校", "role": "central"])
        let county = try await city.api.call("POST", "/schools", ["id": "county", "name": "县", "role": "site", "bandwidthKbps": 8000])
        let centralKey = try #require(central.object["key"] as? String, "\(central.object)")
        let countyKey = try #require(county.object["key"] as? String, "\(county.object)")
        #expect(
            try await city.api.call("POST", "/pairings", ["centralSchoolId": "famous", "siteId": "county", "program": "famous-school"]).status == 201)
        let created = try await city.api.call(
            "POST", "/classes",
            [
                "id": "lesson", "title": "t", "program": "famous-school", "centralSchoolId": "famous", "siteIds": ["county"],
                "startsAt": rfc3339(Date().addingTimeInterval(-60)), "endsAt": rfc3339(Date().addingTimeInterval(2400)),
            ])
        #expect(created.status == 201, "\(created.object)")
        let publisher = try MediaTools.publish(to: city.url("lesson?key=\(centralKey)"), seconds: 60)
        try await city.waitForStreamsLive()
        return (city, countyKey, publisher)
    }

    static func county(upstreamOf city: RelaydServer, key: String) async throws -> RelaydServer {
        try await RelaydServer(
            config: RelaydServer.openConfig(
                extra: """
                    cluster:
                      upstream: ["rtmp://127.0.0.1:\(city.rtmpPort)/live?key=\(key)"]
                    transcode:
                      enabled: false
                    """))
    }

    @Test func aCountyPullsTheCitysLessonOnceForAllItsPlayers() async throws {
        let (city, countyKey, publisher) = try await Self.city()
        defer { publisher.signal(SIGKILL) }
        let county = try await Self.county(upstreamOf: city, key: countyKey)
        let dir = try makeTemporaryDirectory("levels")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let (load, out) = try await LoadTestSmokeTests.loadTest(
            ["--url", county.url("lesson"), "--players", "5", "--connect-rate", "100", "--warmup", "3", "--duration", "3"], in: dir,
            timeout: .seconds(40)
        )
        #expect(load["gotKeyframe"] as? Int == 5, "every player on the county's relay plays the city's lesson: \(out)")
        #expect(county.child.stderr.contains("pulling from upstream"), "\(county.child.stderr.suffix(2000))")
        let plays = city.child.stderr.components(separatedBy: "play started").count - 1
        #expect(plays == 1, "one pull from the city for five players: the city served \(plays) plays")
        for log in [city.child.stderr, county.child.stderr] { #expect(!log.contains(countyKey), "the key is never logged") }
        #expect(await county.stop() == 0)
        #expect(await city.stop() == 0)
    }

    @Test func aCountyTheCityDoesNotAdmitGetsNothing() async throws {
        let (city, countyKey, publisher) = try await Self.city()
        defer { publisher.signal(SIGKILL) }
        let wrong = "k-\(UUID().uuidString)"
        let county = try await Self.county(upstreamOf: city, key: wrong)
        let dir = try makeTemporaryDirectory("levels-refused")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let (load, out) = try await LoadTestSmokeTests.loadTest(
            ["--url", county.url("lesson"), "--players", "2", "--connect-rate", "100", "--warmup", "3", "--duration", "3"], in: dir,
            timeout: .seconds(40)
        )
        #expect(load["gotKeyframe"] as? Int == 0, "the city's rules refuse the county: \(out)")
        #expect(county.child.stderr.contains("pull ended"), "\(county.child.stderr.suffix(2000))")
        #expect(city.child.stderr.components(separatedBy: "play started").count == 1, "the city played nothing")
        #expect(city.child.stderr.contains("play refused"), "the city refused the county's pull: \(city.child.stderr.suffix(2000))")
        for log in [city.child.stderr, county.child.stderr] {
            #expect(!log.contains(wrong) && !log.contains(countyKey), "no key is logged")
        }
        #expect(await county.stop() == 0)
        #expect(await city.stop() == 0)
    }
}
