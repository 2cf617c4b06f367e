import RelayCore
import Testing

@testable import RTMP

@Suite("RTMPStreamName")
struct RTMPStreamNameTests {
    @Test func keyInTheStreamName() throws {
        let n = try #require(RTMPStreamName(app: "live", name: "test?key=abc"))
        #expect(n.stream == StreamKey(app: "live", name: "test"))
        #expect(n.key == "abc")
        #expect(n.rendition == nil)
    }

    @Test func keyOnTheApp() throws {
        let n = try #require(RTMPStreamName(app: "live?key=x", name: "room1"))
        #expect(n.stream == StreamKey(app: "live", name: "room1"))
        #expect(n.key == "x")
    }

    @Test func nameKeyWinsOverAppKey() throws {
        #expect(RTMPStreamName(app: "live?key=app", name: "r?key=name")?.key == "name")
    }

    @Test func otherQueryFieldsAreIgnored() throws {
        let n = try #require(RTMPStreamName(app: "live", name: "r?token=1&key=k2&x"))
        #expect(n.key == "k2")
        #expect(RTMPStreamName(app: "live", name: "r?keyx=1")?.key == nil)
        #expect(RTMPStreamName(app: "live", name: "r?key=")?.key == "")
        #expect(RTMPStreamName(app: "live", name: "r?key=a=b")?.key == "a=b")
        #expect(RTMPStreamName(app: "live", name: "r")?.key == nil)
    }

    @Test func sourceSuffixPinsTheRendition() throws {
        let n = try #require(RTMPStreamName(app: "live", name: "class7_source?key=k"))
        #expect(n.stream.name == "class7")
        #expect(n.rendition == "source")
        #expect(n.key == "k")
        #expect(RTMPStreamName(app: "live", name: "_source") == nil)
    }

    @Test func ladderSuffixPinsThatRung() throws {
        let ladder: Set<String> = ["720p", "480p", "360p"]
        let n = try #require(RTMPStreamName(app: "live", name: "math_101_480p?key=k", renditions: ladder))
        #expect(n.stream.name == "math_101")
        #expect(n.rendition == "480p")
        #expect(RTMPStreamName(app: "live", name: "math_101", renditions: ladder)?.rendition == nil)
        #expect(RTMPStreamName(app: "live", name: "math_1080p", renditions: ladder)?.stream.name == "math_1080p")
        #expect(RTMPStreamName(app: "live", name: "math_480p")?.stream.name == "math_480p", "no ladder: a plain name")
        #expect(RTMPStreamName(app: "live", name: "_480p", renditions: ladder) == nil)
    }

    @Test func percentEncodedKey() {
        #expect(RTMPStreamName(app: "live", name: "r?key=a%20b%2Fc%3d")?.key == "a b/c=")
        #expect(RTMPStreamName(app: "live", name: "r?key=%E6%95%99")?.key == "教")
        #expect(RTMPStreamName(app: "live", name: "r?key=100%")?.key == "100%", "invalid escapes are kept")
        #expect(RTMPStreamName(app: "live", name: "r?key=%zz")?.key == "%zz")
        #expect(RTMPStreamName(app: "live", name: "r?key=%FF")?.key == "%FF", "not UTF-8 once decoded")
    }

    @Test func prefixesAndSlashesOnTheApp() throws {
        #expect(RTMPStreamName(app: "live", name: "flv:room")?.stream.name == "room")
        #expect(RTMPStreamName(app: "live", name: "mp4:room")?.stream.name == "room")
        #expect(RTMPStreamName(app: "/live/", name: "room")?.stream.app == "live")
        #expect(RTMPStreamName(app: "live/sub", name: "room")?.stream.app == "live/sub")
    }

    @Test(arguments: [
        ("live", ""), ("", "room"), ("/", "room"), ("live", "?key=x"), ("live", "a/b"), ("live", "/room"),
        ("live", ".."), ("live", "a..b"), ("live", "../etc"), ("?key=x", "room"),
        ("live", String(repeating: "r", count: 257)), (String(repeating: "a", count: 257), "room"),
    ])
    func rejected(app: String, name: String) {
        #expect(RTMPStreamName(app: app, name: name) == nil)
    }

    @Test func lengthLimitIsInclusive() {
        #expect(RTMPStreamName(app: "live", name: String(repeating: "r", count: 256)) != nil)
    }
}
