import ControlPlane
import Foundation

/// Which recordings retention removes: finished ones (complete or interrupted, never one being
/// written) older than `keepDays`; then, while all recordings together are over `maxDiskMB`,
/// the oldest finished ones first. 0 turns either rule off.
enum RetentionPlan {
    /// `recordings` in time order, oldest first; the result in the order they go, with why.
    static func doomed(
        _ recordings: [Recording], isActive: (String) -> Bool, now: Date, keepDays: Int, maxDiskMB: Int
    ) -> [(Recording, String)] {
        let cutoff = now.addingTimeInterval(-Double(keepDays) * 86400)
        func finished(_ r: Recording) -> Bool { r.state != .recording && !isActive(r.id) }
        var kept: [Recording] = []
        var doomed: [(Recording, String)] = []
        for recording in recordings {
            if finished(recording), keepDays > 0, (recording.endsAt ?? recording.startsAt) < cutoff {
                doomed.append((recording, "older than recording.keepDays (\(keepDays))"))
            } else {
                kept.append(recording)
            }
        }
        guard maxDiskMB > 0 else { return doomed }
        let limit = Int64(maxDiskMB) << 20
        var total = kept.reduce(Int64(0)) { $0 + $1.bytes }
        for recording in kept where total > limit && finished(recording) {
            doomed.append((recording, "the recordings are over recording.maxDiskMB (\(maxDiskMB))"))
            total -= recording.bytes
        }
        return doomed
    }
}
