public import ControlPlane
import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An API error: status, a stable code, and a message for people.
/// Rendered as `{"error":{"code":"…","message":"…"}}`.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Seconds for a `Retry-After` header (429, 503).
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", "\(what) not found") }
    static func conflict(_ message: String) -> APIError { APIError(.conflict, "conflict", message) }
    static func unprocessable(_ code: String, _ message: String) -> APIError { APIError(.unprocessableContent, code, message) }
    static let unauthorized = APIError(.unauthorized, "unauthorized", "a valid bearer token is required")
    static func tooManyFailures(retryAfter: Int) -> APIError {
        APIError(
            .tooManyRequests, "too_many_failures",
            "too many failed authentications from this address; try again in \(retryAfter) s", retryAfter: retryAfter
        )
    }

    static func from(_ error: StoreError) -> APIError { APIError(ControlPlaneError.from(error)) }

    /// The control plane's refusal as the REST API answers it.
    public init(_ error: ControlPlaneError) {
        self.init(Self.status(error.kind), error.code, error.message, retryAfter: error.retryAfter)
    }

    static func status(_ kind: ControlPlaneError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .contentTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unprocessableContent: .unprocessableContent
        case .tooManyRequests: .tooManyRequests
        case .internalServerError: .internalServerError
        case .serviceUnavailable: .serviceUnavailable
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body = ByteBuffer()
        let payload = ["error": ["code": code, "message": message]]
        body.writeBytes(try JSONEncoder().encode(payload))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }
}
