/// Why a publish or play was refused, as every protocol needs it: the metric label
/// (`relay_auth_refusals_total{reason}`), the SRT reject code and the HTTP status (WHEP).
public enum DenyCode: String, Sendable, Equatable, CaseIterable {
    case noKey = "no_key"
    case badKey = "bad_key"
    case wrongSchool = "wrong_school"
    case outsideWindow = "outside_window"
    case unknownClass = "unknown_class"
    case unknownApp = "unknown_app"
    /// The timetable could not be read.
    case unavailable = "store"
    /// A configured limit (streams, sessions) is reached.
    case limit = "max_streams"

    /// The label counted in `relay_auth_refusals_total{reason}`.
    public var metricLabel: String { rawValue }

    /// 401 no key, 404 no such class or application, 503 unavailable or at a limit, 403 otherwise.
    public var httpStatus: Int {
        switch self {
        case .noKey: 401
        case .unknownClass, .unknownApp: 404
        case .unavailable, .limit: 503
        case .badKey, .wrongSchool, .outsideWindow: 403
        }
    }

    /// libsrt access-control reject reason (1000 + HTTP status); a missing key is 1403 as SRT
    /// has no use for 1401 (callers cannot retry with credentials).
    public var srtRejectCode: Int32 {
        switch self {
        case .unknownClass, .unknownApp: 1404
        case .unavailable, .limit: 1503
        case .noKey, .badKey, .wrongSchool, .outsideWindow: 1403
        }
    }
}
