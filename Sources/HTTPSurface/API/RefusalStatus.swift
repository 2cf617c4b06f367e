import HTTPTypes
import RelayCore

extension DenyCode {
    /// 401 no key, 404 no such class or application, 503 unavailable or at a limit, 403 otherwise.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .noKey: .unauthorized
        case .unknownClass, .unknownApp: .notFound
        case .unavailable, .limit: .serviceUnavailable
        case .badKey, .wrongSchool, .outsideWindow: .forbidden
        }
    }
}

extension WebRTCOfferError {
    /// 400 a bad offer, 429 too many offers from one address, 503 no room for the session.
    var httpStatus: HTTPResponse.Status {
        switch code {
        case .badOffer: .badRequest
        case .tooManyOffers: .tooManyRequests
        case .tooManySessions, .unavailable, .tooManyUnconnected: .serviceUnavailable
        }
    }
}
