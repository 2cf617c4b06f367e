import RelayCore
import SRT
import Testing

@Suite("SRT streamid")
struct SRTStreamIDTests {
    @Test func accessControlFormForPublishAndRequest() throws {
        let publish = try SRTStreamID.parse("#!::r=live/math-7,m=publish,s=K3y")
        #expect(publish == SRTStreamID(stream: StreamKey(app: "live", name: "math-7"), mode: .publish, key: "K3y", rendition: nil))
        let play = try SRTStreamID.parse("#!::m=request,s=abc=def,r=live/math-7_source,u=site,h=relay.example")
        #expect(play.mode == .request)
        #expect(play.key == "abc=def")
        #expect(play.stream == StreamKey(app: "live", name: "math-7"))
        #expect(play.rendition == "source")
        // The SRT specification's default mode is request.
        #expect(try SRTStreamID.parse("#!::r=live/x").mode == .request)
        #expect(try SRTStreamID.parse("#!::r=live/x,t=stream").stream.name == "x")
    }

    @Test func percentEncodedAccessControlForm() throws {
        let id = try SRTStreamID.parse("%23%21%3A%3Ar%3Dlive%2Fx%2Cm%3Dpublish%2Cs%3Dk")
        #expect(id == SRTStreamID(stream: StreamKey(app: "live", name: "x"), mode: .publish, key: "k", rendition: nil))
    }

    @Test func otherRenditionSuffixesStayInTheName() throws {
        #expect(try SRTStreamID.parse("#!::r=live/x_720p").stream.name == "x_720p")
    }

    @Test func ladderRungSuffixesBecomeTheRendition() throws {
        let ladder: Set = ["720p", "480p", "360p"]
        let pinned = try SRTStreamID.parse("#!::r=live/math_7_480p,m=request,s=k").splittingRendition(ladder: ladder)
        #expect(pinned.stream == StreamKey(app: "live", name: "math_7"))
        #expect(pinned.rendition == "480p")
        #expect(try SRTStreamID.parse("#!::r=live/math_7").splittingRendition(ladder: ladder).stream.name == "math_7")
        #expect(try SRTStreamID.parse("#!::r=live/x_1080p").splittingRendition(ladder: ladder).rendition == nil)
        #expect(try SRTStreamID.parse("#!::r=live/_480p").splittingRendition(ladder: ladder).stream.name == "_480p")
        #expect(try SRTStreamID.parse("#!::r=live/x_source").splittingRendition(ladder: ladder).rendition == "source")
        #expect(pinned.playedStream == StreamKey(app: "live", name: "math_7_480p"))
        #expect(try SRTStreamID.parse("#!::r=live/x_source").playedStream == StreamKey(app: "live", name: "x"))
        #expect(try SRTStreamID.parse("#!::r=live/x").playedStream == StreamKey(app: "live", name: "x"))
    }

    @Test func plainForm() throws {
        let id = try SRTStreamID.parse("live/math?key=a%2Bb")
        #expect(id.stream == StreamKey(app: "live", name: "math"))
        #expect(id.key == "a+b")
        #expect(id.mode == .request)
        #expect(try SRTStreamID.parse("/live/math?m=publish&key=k").mode == .publish)
        #expect(try SRTStreamID.parse("live/math_source").rendition == "source")
        #expect(try SRTStreamID.parse("live/math").key == nil)
    }

    @Test(
        "malformed streamids are refused with a reason",
        arguments: [
            ("", SRTStreamIDError.empty),
            ("#!::", .malformedEntry(index: 1)),
            ("#!::m=publish", .missingResource),
            ("#!::r=live/x,SECRET", .malformedEntry(index: 2)),
            ("#!::r=live/x,r=live/y", .duplicateKey("r")),
            ("#!::r=live/x,m=bidirectional", .unsupportedMode("bidirectional")),
            ("#!::r=live/x,t=file", .unsupportedType("file")),
            ("#!::r=live", .malformedResource("live")),
            ("#!::r=live/", .malformedResource("live/")),
            ("#!::r=live/a/b", .malformedResource("live/a/b")),
            ("#!::r=live/..", .malformedResource("live/..")),
            ("#!::r=live/_source", .malformedResource("live/_source")),
            ("live/x?key", .malformedEntry(index: 1)),
            ("live/x\u{1}", .controlCharacter),
        ])
    func malformed(raw: String, expected: SRTStreamIDError) {
        #expect(throws: expected) { try SRTStreamID.parse(raw) }
    }

    @Test func tooLongIsRefused() {
        #expect(throws: SRTStreamIDError.tooLong(600)) { try SRTStreamID.parse("#!::r=live/" + String(repeating: "a", count: 589)) }
    }

    @Test func errorsNeverEchoTheKey() {
        do {
            _ = try SRTStreamID.parse("#!::r=live/x,s=TOPSECRET,TOPSECRET2")
            Issue.record("should throw")
        } catch {
            #expect(!"\(error)".contains("TOPSECRET"))
        }
    }

    @Test func denialCodes() {
        #expect(DenyCode.unknownClass.srtRejectCode == SRTRejectCode.notFound)
        #expect(DenyCode.badKey.srtRejectCode == SRTRejectCode.forbidden)
        #expect(DenyCode.noKey.srtRejectCode == SRTRejectCode.forbidden)
        #expect(DenyCode.unavailable.srtRejectCode == SRTRejectCode.unavailable)
    }
}
