import ControlPlane
import Crypto
import Foundation
import Hummingbird
import RelayCore

/// Who may fetch a recording: the admin token as `Authorization: Bearer` only (never `?key=`,
/// which ends up in access logs and browser history), a key of a school of that class (its
/// sites replay their own lessons; its central school too), given as `Authorization: Bearer` or
/// `?key=`, or a signed token (`?t=`) that a page or playlist handed out after such a check, so
/// the key is not repeated in media URIs and access logs. Wrong keys count toward the same
/// failed-login limiter as the API; a locked-out address still gets in with a right one.
struct RecordingAccess: Sendable {
    let service: ControlPlaneService
    let adminToken: String
    let limiter: FailedAuthLimiter
    /// Signs `?t=` tokens; new at every start (tokens do not outlive the process).
    private let secret = SymmetricKey(size: .bits256)
    static let tokenLifetime: TimeInterval = 12 * 3600

    init(service: ControlPlaneService, adminToken: String, limiter: FailedAuthLimiter) {
        self.service = service
        self.adminToken = adminToken
        self.limiter = limiter
    }

    /// Throws 401 without credentials, 403 for credentials that do not reach this recording,
    /// 429 for wrong ones from a locked-out address.
    func check(_ recording: Recording, request: Request, context: RelayRequestContext) async throws {
        let address = context.remoteAddress?.ipAddress
        if let token = request.uri.queryParameters.get("t").map({ String($0) }) {
            guard valid(token, for: recording.id) else {
                throw APIError(.forbidden, "forbidden", "the recording's token is not valid (or has lapsed): open it again with a key")
            }
            return
        }
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst("Bearer ".count)) : nil }
        if let bearer, Secrets.constantTimeEquals(bearer, adminToken) { return }
        guard let key = bearer ?? request.uri.queryParameters.get("key").map({ String($0) }), !key.isEmpty else {
            if let address, let seconds = limiter.retryAfter(address) { throw APIError.tooManyFailures(retryAfter: seconds) }
            throw APIError(.unauthorized, "unauthorized", "a recording needs the admin token (Bearer) or a key of a school of its class")
        }
        let school = try? await service.store.school(keyHash: Secrets.keyHash(key))
        if let school, school.id == recording.centralSchoolId || recording.siteIds.contains(school.id) { return }
        if let address, let seconds = limiter.retryAfter(address) { throw APIError.tooManyFailures(retryAfter: seconds) }
        if let address { limiter.recordFailure(address) }
        context.logger.notice(
            "recording refused",
            metadata: [
                "recording": "\(recording.id)", "school": "\(school?.id ?? "unknown key")", "address": "\(address ?? "?")",
            ])
        throw APIError(.forbidden, "forbidden", "this key is not of a school of the recording's class")
    }

    /// A token for `id` valid for ``tokenLifetime``: `<expiry>.<HMAC-SHA256 prefix>`.
    func token(for id: String, now: Date = Date()) -> String {
        let expiry = Int64(now.timeIntervalSince1970 + Self.tokenLifetime)
        return "\(expiry).\(signature(id, expiry))"
    }

    func valid(_ token: String, for id: String, now: Date = Date()) -> Bool {
        let parts = token.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let expiry = Int64(parts[0]), Double(expiry) > now.timeIntervalSince1970 else { return false }
        return Secrets.constantTimeEquals(String(parts[1]), signature(id, expiry))
    }

    private func signature(_ id: String, _ expiry: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id)|\(expiry)".utf8), using: secret)
        return Data(Array(mac).prefix(18)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
