/// Why a publish or play was refused, the same for every protocol; each protocol answers it in
/// its own terms (SRT's reject code in `SRT`, the HTTP status in `HTTPSurface`).
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
}
