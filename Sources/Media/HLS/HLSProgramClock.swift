import Foundation
import NIOConcurrencyHelpers

/// Wall-clock dates for one stream's timestamps (EXT-X-PROGRAM-DATE-TIME), shared by all its HLS
/// variants so that the same timestamp has the same date in every one: players that switch
/// variants line segments up by these dates (Chromium's own player does, before media sequence
/// numbers, which differ between variants started at different times). The first segment sets
/// the anchor; a timestamp more than `jumpLimit` from the wall clock (a new publisher restarting
/// at 0) sets it again.
final class HLSProgramClock: Sendable {
    private let anchorMillis = NIOLockedValueBox<Int64?>(nil)
    static let jumpLimitMillis: Int64 = 10_000

    /// The date of stream timestamp `start`, knowing timestamp `observed` arrived at `now`.
    func date(ofMillis start: Int64, observed: Int64, now: Date = Date()) -> Date {
        let nowMillis = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let anchor = anchorMillis.withLockedValue { anchor -> Int64 in
            if let current = anchor, abs(current + observed - nowMillis) <= Self.jumpLimitMillis { return current }
            anchor = nowMillis - observed
            return nowMillis - observed
        }
        return Date(timeIntervalSince1970: Double(anchor + start) / 1000)
    }

    /// RFC 3339 with milliseconds, in UTC (`2026-12-04T02:30:00.123Z`).
    static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis.quotient(dividingBy: 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!,
            Int(millis - seconds * 1000)
        )
    }
}

private extension Int64 {
    /// Floor division (dates before 1970 stay correct).
    func quotient(dividingBy divisor: Int64) -> Int64 {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? q - 1 : q
    }
}
