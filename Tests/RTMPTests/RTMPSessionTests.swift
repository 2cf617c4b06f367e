import NIOCore
import RelayCore
import Testing

@testable import RTMP

/// The RTMP connection's state machine without a channel: events in, actions out.
struct RTMPSessionTests {
    typealias Session = RTMPSession<String, String>
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func session(maxPending: Int = 100) -> Session {
        Session(maxPendingPublishBytes: maxPending, idleTimeout: .seconds(10), now: start)
    }

    static func name(_ session: Session, _ raw: String, ladder: Set<String> = []) throws -> RTMPStreamName {
        try session.streamName(raw, command: "publish", renditions: ladder)
    }

    static func media(_ bytes: Int) -> MediaMessage {
        MediaMessage(kind: .video, timestamp: 0, payload: ByteBuffer(repeating: 0, count: bytes))
    }

    @Test func connectNamesTheAppOnce() throws {
        var session = Self.session()
        #expect(throws: RTMPProtocolError.malformedMessage("publish before connect")) { try Self.name(session, "math") }
        #expect(throws: RTMPProtocolError.malformedMessage("connect without an app")) { try session.connect(app: nil) }
        #expect(try session.connect(app: "live") == "live")
        #expect(throws: RTMPProtocolError.malformedMessage("connect sent twice")) { try session.connect(app: "other") }
        #expect(try Self.name(session, "math?key=k").stream == StreamKey(app: "live", name: "math"))
    }

    @Test func aPublishIsAuthorizedThenStartsWithWhatArrivedMeanwhile() throws {
        var session = Self.session()
        _ = try session.connect(app: "live")
        let math = try Self.name(session, "math")
        #expect(session.receivedMedia(Self.media(10)).isIgnore, "media before publish is dropped")
        #expect(try session.requestPublish(math) == .authorize)
        #expect(session.receivedMedia(Self.media(40)).isKept)
        #expect(session.receivedMedia(Self.media(40)).isKept)
        #expect(throws: RTMPProtocolError.malformedMessage("play while already publishing")) { try session.requestPlay(math) }
        guard case .startPublishing(let started, let pending, let grant) = session.authorized(.publish, math, .allow(AccessGrant(schoolId: "c1")))
        else {
            Issue.record("an allowed publish starts")
            return
        }
        #expect(started == math && pending.map(\.size) == [40, 40] && grant.schoolId == "c1")
        session.startedPublishing("registry session", math)
        guard case .publish(let publishing) = session.receivedMedia(Self.media(5)) else {
            Issue.record("media of a publisher is published")
            return
        }
        #expect(publishing == "registry session" && session.isPublishing)
        guard case .publishing("registry session", math) = session.leave() else {
            Issue.record("leaving hands the publish back to end")
            return
        }
        #expect(session.roleName == "idle")
    }

    @Test func tooMuchMediaBeforeTheAnswerClosesTheConnection() throws {
        var session = Self.session(maxPending: 100)
        _ = try session.connect(app: "live")
        _ = try session.requestPublish(try Self.name(session, "math"))
        #expect(session.receivedMedia(Self.media(60)).isKept)
        guard case .overflow(.mediaBeforeAuthorization(bytes: 60)) = session.receivedMedia(Self.media(60)) else {
            Issue.record("over the limit: overflow")
            return
        }
    }

    @Test func aRungIsNeverPublished() throws {
        var session = Self.session()
        _ = try session.connect(app: "live")
        #expect(try session.requestPublish(try Self.name(session, "math_360p", ladder: ["360p"])) == .refuseRung("360p"))
        #expect(session.roleName == "idle")
    }

    @Test func aRefusalClosesAndAStaleAnswerIsIgnored() throws {
        var session = Self.session()
        _ = try session.connect(app: "live")
        let math = try Self.name(session, "math")
        try session.requestPlay(math)
        let other = try Self.name(session, "other")
        guard case .ignore = session.authorized(.play, other, .allow(AccessGrant())) else {
            Issue.record("an answer for another stream is ignored")
            return
        }
        guard case .ignore = session.authorized(.publish, math, .allow(AccessGrant())) else {
            Issue.record("an answer for another action is ignored")
            return
        }
        guard case .refuse("NetStream.Play.Failed", "bad key", nil) = session.authorized(.play, math, .deny(.badKey, reason: "bad key")) else {
            Issue.record("a denied play is refused")
            return
        }
        #expect(session.isClosing)
        guard case .alreadyClosing = session.close() else {
            Issue.record("closing is closed once")
            return
        }
        #expect(session.leave() == nil, "nothing to leave while closing")
    }

    @Test func closingHandsBackWhatWasPlaying() throws {
        var session = Self.session()
        _ = try session.connect(app: "live")
        let math = try Self.name(session, "math")
        try session.requestPlay(math)
        guard case .startPlaying(math, _) = session.authorized(.play, math, .allow(AccessGrant())) else {
            Issue.record("an allowed play starts")
            return
        }
        session.startedPlaying("outlet", math)
        #expect(session.playing == "outlet")
        guard case .close(.playing("outlet", math)) = session.close() else {
            Issue.record("closing ends the play")
            return
        }
    }

    @Test func quietPublishersAndIdleConnectionsTimeOutButPlayersDoNot() throws {
        var session = Self.session()
        let later = Self.start + .seconds(11)
        #expect(session.idleCheck(now: Self.start + .seconds(9)) == nil)
        #expect(session.idleCheck(now: later) == .idle(seconds: 10, publishing: false))
        _ = try session.connect(app: "live")
        let math = try Self.name(session, "math")
        try session.requestPlay(math)
        _ = session.authorized(.play, math, .allow(AccessGrant()))
        session.startedPlaying("outlet", math)
        #expect(session.idleCheck(now: later) == nil, "a player only reads")
        _ = session.leave()
        _ = try session.requestPublish(math)
        _ = session.authorized(.publish, math, .allow(AccessGrant()))
        session.startedPublishing("session", math)
        #expect(session.idleCheck(now: later) == .idle(seconds: 10, publishing: true))
        session.read(at: later)
        #expect(session.idleCheck(now: later + .seconds(1)) == nil, "a read resets the clock")
    }
}

extension RTMPSession.Media {
    var isKept: Bool { if case .kept = self { return true } else { return false } }
    var isIgnore: Bool { if case .ignore = self { return true } else { return false } }
}

extension RTMPSession.Leaving: Equatable where Publishing: Equatable, Playing: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.publishing(let a, let n), .publishing(let b, let m)): return a == b && n == m
        case (.playing(let a, let n), .playing(let b, let m)): return a == b && n == m
        default: return false
        }
    }
}
