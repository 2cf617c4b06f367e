/// Why the control plane refused or failed an operation: its kind, a stable code and a message
/// for people. The HTTP surface answers it with a status (`HTTPSurface`'s `ControlPlaneError`); nothing
/// here knows HTTP.
public struct ControlPlaneError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case badRequest, unauthorized, forbidden, notFound, methodNotAllowed, conflict, contentTooLarge
        case unsupportedMediaType, unprocessableContent, tooManyRequests, internalServerError, serviceUnavailable
    }

    public let kind: Kind
    public let code: String
    public let message: String
    /// Seconds to wait before trying again (too many requests, unavailable).
    public var retryAfter: Int?

    public init(_ kind: Kind, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(kind) \(code): \(message)" }

    package static func badRequest(_ message: String) -> Self { Self(.badRequest, "invalid_request", message) }
    package static func notFound(_ what: String) -> Self { Self(.notFound, "not_found", "\(what) not found") }
    package static func conflict(_ message: String) -> Self { Self(.conflict, "conflict", message) }
    package static func unprocessable(_ code: String, _ message: String) -> Self { Self(.unprocessableContent, code, message) }
    package static let unauthorized = Self(.unauthorized, "unauthorized", "a valid bearer token is required")

    /// What a store failure means to whoever asked: a duplicate is a conflict, the rest is
    /// "unavailable, nothing was changed".
    package static func from(_ error: StoreError) -> Self {
        switch error {
        case .duplicate(let s): return Self(.conflict, "conflict", "already exists (\(s))")
        case .unavailable: return Self(.serviceUnavailable, "unavailable", "the database cannot be written right now; nothing was changed")
        case .failed: return Self(.serviceUnavailable, "unavailable", "the database failed; nothing was changed")
        }
    }
}
