import Foundation
import ProcessTestSupport
import Testing

/// Two classes live now for the recording tests: `famous` (famous-school: recorded by default),
/// central school `c1` with site `site-a`; and `plain` (dedicated: not recorded unless asked),
/// central school `c2` with site `site-b`. Returns every school's key.
enum RecordedTimetable {
    static let config = "auth:\n  mode: timetable\npublisher:\n  graceSeconds: 3\ntranscode:\n  enabled: false\n"

    static func make(on relay: RelaydServer) async throws -> [String: String] {
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, role) in [("c1", "central"), ("c2", "central"), ("site-a", "site"), ("site-b", "site")] {
            var body: [String: Any] = ["id": id, "name": id, "role": role]
            if role == "site" { body["bandwidthKbps"] = 8000 }
            let reply = try await api.call("POST", "/schools", body)
            try #require(reply.status == 201)
            keys[id] = reply.object["key"] as? String
        }
        for (central, site, program) in [("c1", "site-a", "famous-school"), ("c2", "site-b", "dedicated")] {
            try #require(try await api.call("POST", "/pairings", ["centralSchoolId": central, "siteId": site, "program": program]).status == 201)
        }
        let now = Date()
        for (id, central, site, program) in [("famous", "c1", "site-a", "famous-school"), ("plain", "c2", "site-b", "dedicated")] {
            let lesson: [String: Any] = [
                "id": id, "title": id == "famous" ? "名校英语" : "数学", "program": program, "centralSchoolId": central,
                "startsAt": rfc3339(now.addingTimeInterval(-60)), "endsAt": rfc3339(now.addingTimeInterval(3600)), "siteIds": [site],
            ]
            try #require(try await api.call("POST", "/classes", lesson).status == 201)
        }
        return keys
    }

    /// The class's recordings, polled until `done` holds for them (or `timeout`).
    static func recordings(
        of classId: String, on relay: RelaydServer, timeout: Duration = .seconds(30), until done: ([[String: Any]]) -> Bool
    ) async throws -> [[String: Any]] {
        try await waitUntil(timeout: timeout, every: .milliseconds(250)) {
            try await relay.api.call("GET", "/recordings?classId=\(classId)").array
        } until: {
            done($0)
        }
    }

    static func allComplete(_ list: [[String: Any]]) -> Bool {
        !list.isEmpty && list.allSatisfy { $0["state"] as? String == "complete" }
    }

    /// ffprobe's view of a file: format duration, codec names, first video packet a keyframe.
    static func probe(_ path: String) async throws -> (duration: Double, codecs: [String], keyframeFirst: Bool) {
        let (code, out, err) = try await runTool(
            "ffprobe",
            [
                "-v", "error", "-show_entries", "format=duration:stream=codec_name", "-of", "default=nw=1", path,
            ])
        guard code == 0 else { throw TestFailure("ffprobe \(path): \(err)") }
        var duration = 0.0
        var codecs: [String] = []
        for line in out.split(separator: "\n") {
            if line.hasPrefix("duration=") { duration = Double(line.dropFirst(9)) ?? 0 }
            if line.hasPrefix("codec_name=") { codecs.append(String(line.dropFirst(11))) }
        }
        let packets = try await MediaTools.packets(of: path)
        return (duration, codecs, packets.first(where: \.isVideo)?.isKey == true)
    }
}
