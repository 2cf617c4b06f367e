import Foundation
import ProcessTestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What a running process costs, from /proc.
enum ProcessProbe {
    /// Resident set size in KiB (VmRSS), or nil when the process is gone.
    static func rssKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// Open file descriptors.
    static func openFiles(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }
}

extension RelaydServer {
    /// The `/metrics` text.
    func metricsText() async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: server + "/metrics")!)
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of the sample `name{labels…}` in `/metrics` (0 when absent: a counter not yet incremented).
    func metric(_ name: String, _ labels: [String: String] = [:]) async throws -> Double {
        Self.sample(name, labels, in: try await metricsText())
    }

    static func sample(_ name: String, _ labels: [String: String], in text: String) -> Double {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { continue }
            guard labels.allSatisfy({ line.contains("\($0.key)=\"\($0.value)\"") }) else { continue }
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }
}
