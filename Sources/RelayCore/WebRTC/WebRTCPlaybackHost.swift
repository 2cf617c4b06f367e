/// The seam between the HTTP layer (WHEP routes) and the WebRTC media server: the routes check
/// the request and its key, the host negotiates the session and owns it from then on.
public protocol WebRTCPlaybackHost: Sendable {
    /// Negotiates a viewer of `stream` (the class's source key) for an SDP offer; returns the
    /// answer and the new session's id, or throws ``WebRTCOfferError``.
    func startPlayback(_ request: WebRTCPlaybackRequest) async throws -> WebRTCAnswer
    /// Ends a session (WHEP DELETE); false when no such session exists.
    func endSession(id: String) async -> Bool
    /// True while the session exists (WHEP PATCH).
    func hasSession(id: String) async -> Bool
    /// Negotiates a WHIP publisher of `request.stream` (the lesson, or a site's return feed);
    /// the publisher takes the stream once DTLS is done. Throws ``WebRTCOfferError``.
    func startIngest(_ request: WebRTCPlaybackRequest) async throws -> WebRTCAnswer
}

/// A WHEP viewer's or a WHIP publisher's offer, checked by the routes.
public struct WebRTCPlaybackRequest: Sendable {
    /// The class's source stream (`live/<classId>`), or a return feed's.
    public var stream: StreamKey
    /// A pinned rendition (`480p`, `source`), or nil for the adaptive plain name.
    public var rendition: String?
    public var offer: String
    public var grant: AccessGrant
    public var remoteAddress: String
    /// Held to the offer rate per IP and the caps on unconnected sessions per key and per IP;
    /// false only for an administrator's own offers (the patrol wall's tiles).
    public var limited = true

    public init(stream: StreamKey, rendition: String?, offer: String, grant: AccessGrant, remoteAddress: String) {
        self.stream = stream
        self.rendition = rendition
        self.offer = offer
        self.grant = grant
        self.remoteAddress = remoteAddress
    }
}

public struct WebRTCAnswer: Sendable {
    public var sessionID: String
    public var sdp: String
    public init(sessionID: String, sdp: String) {
        self.sessionID = sessionID
        self.sdp = sdp
    }
}

/// Why an offer was refused: 400 malformed or unanswerable SDP, 503 at the session limit or a
/// cap on unconnected sessions, 429 over the offer rate.
public struct WebRTCOfferError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case badOffer = "bad_offer"
        case tooManySessions = "too_many_sessions"
        case unavailable = "unavailable"
        /// Too many sessions not yet connected for this key or this address (503).
        case tooManyUnconnected = "too_many_unconnected_sessions"
        /// Too many offers from this address (429 with Retry-After).
        case tooManyOffers = "too_many_offers"
    }
    public var code: Code
    public var message: String
    /// Seconds for a `Retry-After` header.
    public var retryAfter: Int?
    public init(_ code: Code, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }
    public var description: String { message }
}
