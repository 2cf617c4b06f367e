import Foundation
import Media
import NIOConcurrencyHelpers

/// Wall-clock dates for one stream's timestamps (EXT-X-PROGRAM-DATE-TIME), shared by all its HLS
/// variants so that the same timestamp has the same date in every one: players that switch
/// variants line segments up by these dates (Chromium's own player does, before media sequence
/// numbers, which differ between variants started at different times). The first segment sets
/// the anchor; a timestamp more than `jumpLimitMillis` from the wall clock (a new publisher restarting
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
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
