import ControlPlane
import HTTPTypes
import Hummingbird
import RelayCore

/// The one check every HTTP play route makes (WHEP, HTTP-FLV, HLS), and WHIP's publish: the
/// request from this address with the key it carries (`Authorization: Bearer` or `?key=`),
/// asked of the same ``AccessPolicy`` as RTMP and SRT. A refusal is logged (never the key) and
/// thrown as the API's error with the policy's status and reason.
enum PlayAccess {
    static func authorize(
        _ transport: AccessRequest.Transport, stream: StreamKey, request: Request, context: RelayRequestContext, policy: any AccessPolicy,
        action: AccessRequest.Action = .play
    ) async throws -> (AccessGrant, AccessRequest) {
        let access = AccessRequest(
            action: action, transport: transport, stream: stream, key: key(from: request),
            remoteAddress: context.remoteAddress?.ipAddress ?? "?"
        )
        switch await policy.authorize(access) {
        case .deny(let code, let reason):
            context.logger.notice("\(transport.rawValue) \(action.rawValue) refused", metadata: ["request": "\(access)", "reason": "\(reason)"])
            throw APIError(code.httpStatus, code.rawValue, "\(action.rawValue) refused: \(reason)")
        case .allow(let grant):
            return (grant, access)
        }
    }

    /// A page's check (the watch page, the teacher wall): may `key` play `stream` over WebRTC, as
    /// the page will? Outside the class's window the page still renders and waits, so that
    /// refusal alone is let through; any other is logged and thrown with the policy's status.
    static func authorizePage(
        _ page: String, stream: StreamKey, key: String?, context: RelayRequestContext, policy: any AccessPolicy
    ) async throws {
        let access = AccessRequest(
            action: .play, transport: .webrtc, stream: stream, key: key, remoteAddress: context.remoteAddress?.ipAddress ?? "?"
        )
        if case .deny(let code, let reason) = await policy.authorize(access), code != .outsideWindow {
            context.logger.notice("\(page) refused", metadata: ["request": "\(access)", "reason": "\(reason)"])
            throw APIError(code.httpStatus, code.rawValue, reason)
        }
    }

    /// `Authorization: Bearer <key>`, else `?key=`.
    static func key(from request: Request) -> String? {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return String(header.dropFirst("Bearer ".count))
        }
        return request.uri.queryParameters.get("key").map { String($0) }
    }
}
