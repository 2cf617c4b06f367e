import NIOCore
import RelayCore

/// One RTMP connection's protocol state after the handshake, as a state machine: events in
/// (connect, publish, play, the access decision, media, leaving, closing, an idle check), what
/// to do out; the channel handler performs the actions and keeps no role of its own (the
/// NIOHTTP1 / swift-nio-http2 shape). `Publishing` and `Playing` are what the handler made
/// when a publish or play started (the registry's session, the player's outlet), handed back
/// when the connection leaves that role. Unit-tested without a channel.
struct RTMPSession<Publishing, Playing> {
    enum State {
        case idle
        case authorizingPublish(RTMPStreamName, pending: [MediaMessage], pendingBytes: Int)
        case publishing(Publishing, RTMPStreamName)
        case authorizingPlay(RTMPStreamName)
        case playing(Playing, RTMPStreamName)
        case closing
    }

    /// What the connection was doing when it left a role: the handler ends it.
    enum Leaving {
        case publishing(Publishing, RTMPStreamName)
        case playing(Playing, RTMPStreamName)
    }

    enum PublishRequest: Equatable {
        /// Ask the access policy; media arriving meanwhile is kept.
        case authorize
        /// A rung is made by the relay, never published: refuse (`NetStream.Publish.BadName`).
        case refuseRung(String)
    }

    enum Decision {
        case startPublishing(RTMPStreamName, pending: [MediaMessage], grant: AccessGrant)
        case startPlaying(RTMPStreamName, grant: AccessGrant)
        /// Write the refusal status (`code`, the policy's `reason`), then close once it is sent.
        case refuse(code: String, reason: String, Leaving?)
        /// The connection moved on (closed, or deleted the stream) while the policy answered.
        case ignore
    }

    enum Media {
        case publish(Publishing)
        case kept
        /// Too much before the publish was authorized: close.
        case overflow(CloseReason)
        /// Not publishing: dropped.
        case ignore
    }

    enum Closing {
        case close(Leaving?)
        case alreadyClosing
    }

    private(set) var state: State = .idle
    /// The application named by `connect`, once.
    private(set) var app: String?
    let maxPendingPublishBytes: Int
    let idleTimeout: TimeAmount
    private var lastRead: NIODeadline

    init(maxPendingPublishBytes: Int, idleTimeout: TimeAmount, now: NIODeadline) {
        self.maxPendingPublishBytes = maxPendingPublishBytes
        self.idleTimeout = idleTimeout
        self.lastRead = now
    }

    // MARK: Events

    mutating func read(at now: NIODeadline) {
        lastRead = now
    }

    /// `connect`: names the application, once.
    mutating func connect(app: String?) throws(RTMPProtocolError) -> String {
        guard self.app == nil else { throw .malformedMessage("connect sent twice") }
        guard let app else { throw .malformedMessage("connect without an app") }
        self.app = app
        return app
    }

    /// The stream a `publish` or `play` names, within the connected application.
    func streamName(_ raw: String?, command: String, renditions: Set<String>) throws(RTMPProtocolError) -> RTMPStreamName {
        guard let app else { throw .malformedMessage("\(command) before connect") }
        guard let raw, let name = RTMPStreamName(app: app, name: raw, renditions: renditions) else {
            throw .malformedMessage("\(command) without a valid stream name")
        }
        return name
    }

    mutating func requestPublish(_ name: RTMPStreamName) throws(RTMPProtocolError) -> PublishRequest {
        guard case .idle = state else { throw .malformedMessage("publish while already \(roleName)") }
        if let rendition = name.rendition { return .refuseRung(rendition) }
        state = .authorizingPublish(name, pending: [], pendingBytes: 0)
        return .authorize
    }

    mutating func requestPlay(_ name: RTMPStreamName) throws(RTMPProtocolError) {
        guard case .idle = state else { throw .malformedMessage("play while already \(roleName)") }
        state = .authorizingPlay(name)
    }

    /// The access policy's answer for `name`.
    mutating func authorized(_ action: AccessRequest.Action, _ name: RTMPStreamName, _ decision: AccessDecision) -> Decision {
        switch (action, state, decision) {
        case (.publish, .authorizingPublish(let waiting, let pending, _), .allow(let grant)) where waiting == name:
            return .startPublishing(name, pending: pending, grant: grant)
        case (.play, .authorizingPlay(let waiting), .allow(let grant)) where waiting == name:
            return .startPlaying(name, grant: grant)
        case (.publish, .authorizingPublish(let waiting, _, _), .deny(_, let reason)) where waiting == name:
            return .refuse(code: "NetStream.Publish.Denied", reason: reason, leaveForClosing())
        case (.play, .authorizingPlay(let waiting), .deny(_, let reason)) where waiting == name:
            return .refuse(code: "NetStream.Play.Failed", reason: reason, leaveForClosing())
        default:
            return .ignore
        }
    }

    /// The handler attached the publisher to the registry.
    mutating func startedPublishing(_ publishing: Publishing, _ name: RTMPStreamName) {
        state = .publishing(publishing, name)
    }

    /// The handler subscribed the player.
    mutating func startedPlaying(_ playing: Playing, _ name: RTMPStreamName) {
        state = .playing(playing, name)
    }

    /// Audio, video or metadata from the client.
    mutating func receivedMedia(_ media: MediaMessage) -> Media {
        switch state {
        case .publishing(let publishing, _):
            return .publish(publishing)
        case .authorizingPublish(let name, var pending, let bytes):
            // Encoders such as OBS send right after publish; kept until the answer comes.
            guard bytes + media.size <= maxPendingPublishBytes else { return .overflow(.mediaBeforeAuthorization(bytes: bytes)) }
            state = .idle  // pending is uniquely referenced while appended to
            pending.append(media)
            state = .authorizingPublish(name, pending: pending, pendingBytes: bytes + media.size)
            return .kept
        default:
            return .ignore
        }
    }

    /// A refusal to write before closing: leaves any role and is closing from now on.
    mutating func refuse() -> Leaving? {
        leaveForClosing()
    }

    /// Leaves the role (`deleteStream`, `FCUnpublish`, the connection closed); back to idle.
    mutating func leave() -> Leaving? {
        let leaving = current
        if case .closing = state { return nil }
        state = .idle
        return leaving
    }

    /// Closes the connection, once.
    mutating func close() -> Closing {
        if case .closing = state { return .alreadyClosing }
        return .close(leaveForClosing())
    }

    /// Whether the connection was quiet too long for what it is doing (players may be quiet).
    func idleCheck(now: NIODeadline) -> CloseReason? {
        guard now - lastRead > idleTimeout else { return nil }
        let seconds = idleTimeout.nanoseconds / 1_000_000_000
        switch state {
        case .playing, .closing: return nil
        case .publishing: return .idle(seconds: seconds, publishing: true)
        case .idle, .authorizingPlay, .authorizingPublish: return .idle(seconds: seconds, publishing: false)
        }
    }

    // MARK: Reading

    var publishing: Publishing? {
        if case .publishing(let publishing, _) = state { return publishing }
        return nil
    }

    var playing: Playing? {
        if case .playing(let playing, _) = state { return playing }
        return nil
    }

    var isPublishing: Bool {
        if case .publishing = state { return true }
        return false
    }

    var isClosing: Bool {
        if case .closing = state { return true }
        return false
    }

    var roleName: String {
        switch state {
        case .idle: return "idle"
        case .authorizingPublish, .publishing: return "publishing"
        case .authorizingPlay, .playing: return "playing"
        case .closing: return "closing"
        }
    }

    private var current: Leaving? {
        switch state {
        case .publishing(let publishing, let name): return .publishing(publishing, name)
        case .playing(let playing, let name): return .playing(playing, name)
        case .idle, .authorizingPublish, .authorizingPlay, .closing: return nil
        }
    }

    private mutating func leaveForClosing() -> Leaving? {
        let leaving = current
        state = .closing
        return leaving
    }
}
