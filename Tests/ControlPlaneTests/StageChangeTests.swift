import ControlPlane
import Testing

/// `PUT …/stage`'s rules without a store: at most three sites, each a site of the class, once,
/// with its return feed live.
struct StageChangeTests {
    let sites = ["a", "b", "c", "d"]

    @Test func liveSitesOfTheClassGoOnStageInTheOrderGiven() {
        let result = StageChange.check(sites: ["c", "a"], layout: .sideBySide, classSites: sites, liveFeeds: ["a", "c"])
        #expect(result == .success(StageChange(sites: ["c", "a"], layout: .sideBySide)))
        #expect(StageChange.check(sites: [], layout: .pip, classSites: sites, liveFeeds: []) == .success(StageChange(sites: [], layout: .pip)))
    }

    @Test func refusalsNameWhatIsWrong() {
        #expect(StageChange.check(sites: sites, layout: .pip, classSites: sites, liveFeeds: Set(sites)) == .failure(.tooManySites(4)))
        #expect(StageChange.check(sites: ["a", "a"], layout: .pip, classSites: sites, liveFeeds: ["a"]) == .failure(.repeated("a")))
        #expect(StageChange.check(sites: ["x"], layout: .pip, classSites: sites, liveFeeds: ["x"]) == .failure(.notASite("x")))
        // Not a site of the class is said before "not live", whatever the order of the list.
        #expect(StageChange.check(sites: ["b", "x"], layout: .pip, classSites: sites, liveFeeds: []) == .failure(.notASite("x")))
        #expect(StageChange.check(sites: ["a", "b"], layout: .pip, classSites: sites, liveFeeds: ["a"]) == .failure(.notLive("b")))
    }

    @Test func layoutsAreSpelledAsTheAPISpellsThem() {
        #expect(StageLayout(rawValue: "side-by-side") == .sideBySide)
        #expect(StageLayout(rawValue: "pip") == .pip)
        #expect(StageLayout(rawValue: "mosaic") == nil)
    }
}
