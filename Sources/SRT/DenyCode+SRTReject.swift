public import RelayCore

extension DenyCode {
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
