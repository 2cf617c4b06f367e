import Foundation
import ProcessTestSupport

/// The conditions tests wait for on a running relay, each bounded by a deadline (``waitUntil``).
extension RelaydServer {
    /// Until at least `count` streams have a publisher (`relay_streams_live`): a publisher is live.
    func waitForStreamsLive(_ count: Int = 1, timeout: Duration = .seconds(15)) async throws {
        try await waitUntil("\(count) live stream(s): \(child.stderr.suffix(2000))", timeout: timeout) {
            try await metric("relay_streams_live") >= Double(count)
        }
    }

    /// Until at least `count` players are connected (every `relay_players` sample added up).
    func waitForPlayers(_ count: Int, timeout: Duration = .seconds(15)) async throws {
        try await waitUntil("\(count) player(s): \(child.stderr.suffix(2000))", timeout: timeout) {
            try await playerCount() >= Double(count)
        }
    }

    /// Players connected, over every protocol and rendition.
    func playerCount() async throws -> Double {
        try await metricsText().split(separator: "\n").filter { $0.hasPrefix("relay_players{") || $0.hasPrefix("relay_players ") }
            .reduce(0) { $0 + (Double($1.split(separator: " ").last ?? "") ?? 0) }
    }

    /// Until the relay's log (stdout and stderr) satisfies `predicate`.
    func waitForLog(_ what: String, timeout: Duration = .seconds(15), _ predicate: @escaping (String) -> Bool) async throws {
        guard await child.waitForOutput(timeout: timeout, predicate) else {
            throw TestFailure("waited \(timeout) for the log to show \(what): \(child.stderr.suffix(2000))")
        }
    }
}

extension RelaydServer {
    /// Until the stream whose key contains `name` is gone: its publisher left and did not return
    /// within the grace period (`stream ended: publisher did not return`).
    func waitForStreamEnd(_ name: String, timeout: Duration = .seconds(15)) async throws {
        try await waitForLog("the end of \(name)'s grace period", timeout: timeout) {
            $0.split(separator: "\n").contains { $0.contains("stream ended: publisher did not return") && $0.contains(name) }
        }
    }
}
