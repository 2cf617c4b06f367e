import Foundation

/// CPU time, memory and context switches of a set of processes (all their threads), from /proc.
struct ProcSample: Codable, Sendable {
    var cpuSeconds = 0.0
    var userSeconds = 0.0
    var systemSeconds = 0.0
    var rssBytes = 0
    var voluntarySwitches = 0
    var involuntarySwitches = 0

    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func read(pids: [Int32]) -> ProcSample {
        var sample = ProcSample()
        for pid in pids {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after "(comm)": state is field 3, utime 14, stime 15.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                sample.userSeconds += user / ticksPerSecond
                sample.systemSeconds += system / ticksPerSecond
            }
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let rss = field(status, "VmRSS:")
            {
                sample.rssBytes += rss * 1024
            }
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            for task in tasks {
                guard let status = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8) else { continue }
                sample.voluntarySwitches += field(status, "voluntary_ctxt_switches:") ?? 0
                sample.involuntarySwitches += field(status, "nonvoluntary_ctxt_switches:") ?? 0
            }
        }
        sample.cpuSeconds = sample.userSeconds + sample.systemSeconds
        return sample
    }

    private static func field(_ status: String, _ name: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            return Int(line.dropFirst(name.count).split(separator: " ").first { !$0.isEmpty }.map(String.init) ?? "")
                ?? Int(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    static func - (a: ProcSample, b: ProcSample) -> ProcSample {
        ProcSample(
            cpuSeconds: a.cpuSeconds - b.cpuSeconds, userSeconds: a.userSeconds - b.userSeconds,
            systemSeconds: a.systemSeconds - b.systemSeconds, rssBytes: a.rssBytes,
            voluntarySwitches: a.voluntarySwitches - b.voluntarySwitches,
            involuntarySwitches: a.involuntarySwitches - b.involuntarySwitches
        )
    }
}

/// Percentile of sorted values (nearest rank).
func percentile<T: BinaryInteger>(_ sorted: [T], _ p: Double) -> T? {
    guard !sorted.isEmpty else { return nil }
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
