/// A 64-bit NTP timestamp for RTCP (RFC 3550 §4): seconds since 1900 in the high 32 bits, the
/// fraction in the low 32. Made from a clock reading in nanoseconds since 1970, so callers need
/// neither `Date` nor `timespec` here.
public struct NTPTimestamp: Sendable, Hashable {
    /// Seconds from 1900-01-01 to 1970-01-01.
    static let unixEpochOffset: UInt64 = 2_208_988_800
    private static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    /// The 32.32 fixed point value, as an SR's NTP field carries it.
    public var value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// The NTP time of `nanoseconds` since 1970 (the seconds wrap in 2036 as NTP's era does).
    public init(nanosecondsSince1970 nanoseconds: UInt64) {
        let seconds = nanoseconds / Self.nanosecondsPerSecond + Self.unixEpochOffset
        let fraction = (nanoseconds % Self.nanosecondsPerSecond) << 32 / Self.nanosecondsPerSecond
        value = seconds << 32 | fraction
    }

    /// Nanoseconds since 1970 for a time of the current era (inverse of
    /// `init(nanosecondsSince1970:)` to within a nanosecond).
    public var nanosecondsSince1970: UInt64 {
        let seconds = (value >> 32) &- Self.unixEpochOffset & 0xFFFF_FFFF
        let fraction = ((value & 0xFFFF_FFFF) * Self.nanosecondsPerSecond + (1 << 31)) >> 32
        return seconds * Self.nanosecondsPerSecond + fraction
    }

    /// The middle 32 bits (16.16 fixed point), as the LSR field of a report block carries them.
    public var middle32: UInt32 {
        UInt32(truncatingIfNeeded: value >> 16)
    }

    /// A duration in nanoseconds in 1/65536 s, as the DLSR field carries it.
    public static func compactDuration(nanoseconds: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (nanoseconds << 16) / nanosecondsPerSecond)
    }

    /// Round-trip time in 1/65536 s from a report block about our SR that arrived at `arrival`
    /// (middle 32 bits): arrival - LSR - DLSR; nil when the block names no SR (LSR 0) or the
    /// values are inconsistent (a negative result).
    public static func roundTripTime(arrival: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) -> UInt32? {
        guard lastSenderReport != 0 else { return nil }
        let rtt = arrival &- lastSenderReport &- delaySinceLastSenderReport
        return Int32(bitPattern: rtt) >= 0 ? rtt : nil
    }
}
