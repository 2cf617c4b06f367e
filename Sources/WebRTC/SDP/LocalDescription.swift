/// The relay's side of an answer: its ICE credentials and candidates, its DTLS certificate
/// fingerprint and the streams it sends.
struct LocalDescription: Hashable, Sendable {
    var iceUfrag: String
    var icePwd: String
    /// Written as `a=ice-options`; nothing when empty.
    var iceOptions: [String]
    /// The SHA-256 fingerprint of the relay's DTLS certificate.
    var fingerprint: SDPFingerprint
    var candidates: [ICECandidate]
    /// The audio stream the relay sends (WHEP); nil when it receives (WHIP) or has none (the
    /// m-line then has no `a=ssrc`/`a=msid`, and keeps its direction unless `direction` is set).
    var audio: LocalSender?
    /// The video stream the relay sends (WHEP); nil when it receives (WHIP) or has none.
    var video: LocalSender?
    /// Replaces the negotiated direction of every accepted m-line (e.g. `inactive`); nil keeps
    /// sendonly for WHEP and recvonly for WHIP.
    var direction: MediaDirection?
    /// The `o=` session id; random by default.
    var sessionID: UInt64

    init(
        iceUfrag: String,
        icePwd: String,
        iceOptions: [String] = ["trickle"],
        fingerprint: SDPFingerprint,
        candidates: [ICECandidate],
        audio: LocalSender? = nil,
        video: LocalSender? = nil,
        direction: MediaDirection? = nil,
        sessionID: UInt64 = UInt64.random(in: 1...UInt64(Int64.max))
    ) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.iceOptions = iceOptions
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.audio = audio
        self.video = video
        self.direction = direction
        self.sessionID = sessionID
    }

    /// The sender for an m-line of `kind`.
    func sender(for kind: MediaKind) -> LocalSender? {
        switch kind {
        case .audio: return audio
        case .video: return video
        default: return nil
        }
    }
}
