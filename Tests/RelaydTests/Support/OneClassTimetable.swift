import Foundation
import ProcessTestSupport
import Testing

/// A timetable with one class live now: central school `central`, its paired site `site-a`
/// (at `bandwidthKbps`) and a school `stranger` that is not of the class. Returns the keys.
enum OneClassTimetable {
    static func make(
        on relay: RelaydServer, classId: String, title: String, bandwidthKbps: Int, extra: [String: Any] = [:]
    ) async throws -> [String: String] {
        let api = relay.api
        var keys: [String: String] = [:]
        for (id, role) in [("central", "central"), ("site-a", "site"), ("stranger", "site")] {
            var body: [String: Any] = ["id": id, "name": id, "role": role]
            if role == "site" { body["bandwidthKbps"] = bandwidthKbps }
            let reply = try await api.call("POST", "/schools", body)
            try #require(reply.status == 201)
            keys[id] = reply.object["key"] as? String
        }
        try #require(
            try await api.call("POST", "/pairings", ["centralSchoolId": "central", "siteId": "site-a", "program": "dedicated"]).status == 201)
        let now = Date()
        var lesson: [String: Any] = [
            "id": classId, "title": title, "program": "dedicated", "centralSchoolId": "central",
            "startsAt": rfc3339(now.addingTimeInterval(-60)), "endsAt": rfc3339(now.addingTimeInterval(3600)), "siteIds": ["site-a"],
        ]
        lesson.merge(extra) { $1 }
        try #require(try await api.call("POST", "/classes", lesson).status == 201)
        return keys
    }
}
