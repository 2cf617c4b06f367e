import ControlPlane
import Foundation
import Testing

/// Every route and every error path, over real HTTP, on SQLite and on PostgreSQL.
@Suite(.serialized)
struct ControlPlaneAPITests {
    @Test(arguments: StoreKind.allCases)
    func schoolsPairingsAndErrors(kind: StoreKind) async throws {
        try await withStore(kind) { service in
            try await withLiveAPI(service) { api in
                // Health and auth.
                let health = try await api.call(.get, "/healthz")
                #expect(health.status == .ok)
                #expect(health.object["status"] as? String == "ok")
                let noToken = try await api.call(.get, "/api/v1/schools", token: "wrong")
                #expect(noToken.status == .unauthorized)
                #expect(noToken.errorCode == "unauthorized")

                // Schools.
                let central = try await api.call(.post, "/api/v1/schools", ["id": "c1", "name": "中心学校", "role": "central", "region": "泸州"])
                #expect(central.status == .created)
                let key = central.object["key"] as? String ?? ""
                #expect(key.count >= 32, "128-bit+ key")
                let site = try await api.call(.post, "/api/v1/schools", ["id": "s1", "name": "教学点 1", "role": "site", "bandwidthKbps": 2000])
                #expect(site.status == .created)
                let generated = try await api.call(.post, "/api/v1/schools", ["name": "Auto", "role": "site", "bandwidthKbps": 5000])
                #expect(generated.status == .created)
                #expect((generated.object["id"] as? String)?.isEmpty == false)

                for (body, code) in [
                    (["name": "No bandwidth", "role": "site"] as [String: Any], 400),
                    (["name": "Bad role", "role": "teacher"], 400),
                    (["name": 5, "role": "central"], 400),
                    (["id": "bad_id", "name": "x", "role": "central"], 400),
                    (["id": "c1", "name": "dup", "role": "central"], 409),
                    (["role": "central"], 400),
                    (["name": "Too slow", "role": "site", "bandwidthKbps": 0], 400),
                ] {
                    let r = try await api.call(.post, "/api/v1/schools", body)
                    #expect(Int(r.status.code) == code, "\(body) → \(r.status) \(r.text)")
                    #expect(r.errorCode != nil && !r.errorMessage.isEmpty)
                }
                #expect(try await api.call(.post, "/api/v1/schools", raw: "{not json").status == .badRequest)
                #expect(try await api.call(.post, "/api/v1/schools", raw: "[1,2]").status == .badRequest)

                let list = try await api.call(.get, "/api/v1/schools")
                #expect(list.array.count == 3, "failed creates changed nothing")
                #expect(list.array.allSatisfy { $0["key"] == nil }, "keys are returned on create and rotate only")
                let one = try await api.call(.get, "/api/v1/schools/s1")
                #expect(one.object["bandwidthKbps"] as? Int == 2000)
                #expect(try await api.call(.get, "/api/v1/schools/nope").status == .notFound)

                let patched = try await api.call(.patch, "/api/v1/schools/s1", ["bandwidthKbps": 1500, "region": "纳溪区"])
                #expect(patched.status == .ok)
                #expect(patched.object["bandwidthKbps"] as? Int == 1500)
                #expect(try await api.call(.patch, "/api/v1/schools/s1", ["role": "central"]).status == .unprocessableContent)
                #expect(try await api.call(.patch, "/api/v1/schools/s1", ["bandwidthKbps": "fast"]).status == .badRequest)
                #expect(try await api.call(.patch, "/api/v1/schools/zz", ["name": "x"]).status == .notFound)

                let rotated = try await api.call(.post, "/api/v1/schools/c1/rotate-key")
                #expect(rotated.status == .ok)
                #expect((rotated.object["key"] as? String).map { $0 != key } == true)

                // Pairings.
                let pairing = try await api.call(
                    .post, "/api/v1/pairings", ["id": "p1", "centralSchoolId": "c1", "siteId": "s1", "program": "dedicated"])
                #expect(pairing.status == .created)
                for (body, code) in [
                    (["centralSchoolId": "c1", "siteId": "s1", "program": "dedicated"], 409),
                    (["centralSchoolId": "s1", "siteId": "c1", "program": "dedicated"], 422),
                    (["centralSchoolId": "c1", "siteId": "ghost", "program": "dedicated"], 422),
                    (["centralSchoolId": "c1", "siteId": "s1", "program": "lecture"], 400),
                    (["centralSchoolId": "c1", "program": "dedicated"], 400),
                ] {
                    let r = try await api.call(.post, "/api/v1/pairings", body)
                    #expect(Int(r.status.code) == code, "\(body) → \(r.status) \(r.text)")
                }
                #expect(try await api.call(.get, "/api/v1/pairings").array.count == 1)

                // A school in use cannot be deleted; an unused one can.
                #expect(try await api.call(.delete, "/api/v1/schools/c1").status == .conflict)
                let autoID = generated.object["id"] as? String ?? ""
                #expect(try await api.call(.delete, "/api/v1/schools/\(autoID)").status == .noContent)
                #expect(try await api.call(.delete, "/api/v1/schools/\(autoID)").status == .notFound)
                #expect(try await api.call(.get, "/api/v1/nothing-here").status == .notFound)
            }
            // (413 for oversize bodies is checked against the relayd binary in RelaydTests.)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func classesTimetableAndRules(kind: StoreKind) async throws {
        try await withStore(kind) { service in
            try await withLiveAPI(service) { api in
                for (id, role) in [("c1", "central"), ("c2", "central"), ("s1", "site"), ("s2", "site"), ("s3", "site")] {
                    var body: [String: Any] = ["id": id, "name": id, "role": role]
                    if role == "site" { body["bandwidthKbps"] = 4000 }
                    #expect(try await api.call(.post, "/api/v1/schools", body).status == .created)
                }
                for (c, s, program) in [
                    ("c1", "s1", "dedicated"), ("c1", "s2", "dedicated"), ("c2", "s1", "famous-school"), ("c2", "s3", "famous-school"),
                ] {
                    #expect(
                        try await api.call(.post, "/api/v1/pairings", ["centralSchoolId": c, "siteId": s, "program": program]).status == .created)
                }
                let base = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15, a Friday
                func lesson(
                    _ id: String, _ central: String, _ sites: [String], _ from: Double, _ to: Double,
                    program: String = "dedicated", extra: [String: Any] = [:]
                ) -> [String: Any] {
                    var body: [String: Any] = [
                        "id": id, "title": "Lesson \(id)", "program": program, "centralSchoolId": central, "teacher": "王老师",
                        "subject": "数学", "startsAt": at(base, from), "endsAt": at(base, to), "siteIds": sites,
                    ]
                    body.merge(extra) { $1 }
                    return body
                }
                let math = try await api.call(.post, "/api/v1/classes", lesson("math", "c1", ["s1", "s2"], 0, 45))
                #expect(math.status == .created, "\(math.text)")
                #expect(math.object["startsAt"] as? String == at(base, 0).replacingOccurrences(of: "+00:00", with: "Z"))

                // Offsets are accepted and stored in UTC.
                var shanghai = lesson("art", "c1", ["s1"], 60, 90)
                let f = ISO8601DateFormatter()
                f.timeZone = TimeZone(identifier: "Asia/Shanghai")
                f.formatOptions = [.withInternetDateTime]
                shanghai["startsAt"] = f.string(from: base.addingTimeInterval(3600))
                shanghai["endsAt"] = f.string(from: base.addingTimeInterval(5400))
                let art = try await api.call(.post, "/api/v1/classes", shanghai)
                #expect(art.status == .created, "\(art.text)")
                #expect((art.object["startsAt"] as? String)?.hasSuffix("Z") == true)

                // Rules.
                let overlapSite = try await api.call(.post, "/api/v1/classes", lesson("x1", "c2", ["s1"], 30, 50, program: "famous-school"))
                #expect(overlapSite.status == .conflict)
                #expect(overlapSite.errorMessage.contains("math"), "409 names the other class: \(overlapSite.errorMessage)")
                let overlapCentral = try await api.call(.post, "/api/v1/classes", lesson("x2", "c1", ["s2"], 80, 100))
                #expect(overlapCentral.status == .conflict)
                #expect(overlapCentral.errorMessage.contains("art"))
                let adjacent = try await api.call(.post, "/api/v1/classes", lesson("next", "c1", ["s2"], 45, 55))
                #expect(adjacent.status == .created, "back-to-back is not an overlap: \(adjacent.text)")
                for (body, code) in [
                    (lesson("x3", "c1", ["s3"], 200, 240), 422),  // s3 not paired with c1
                    (lesson("x4", "c1", ["s1"], 300, 290), 422),  // ends before it starts
                    (lesson("x5", "c1", ["s1"], 300, 300), 422),
                    (lesson("x6", "c1", ["s1"], 300, 340, program: "famous-school"), 422),
                    (lesson("x7", "c1", ["nobody"], 300, 340), 422),
                    (lesson("x8", "s1", ["s2"], 300, 340), 422),  // a site cannot teach
                    (lesson("x9", "c1", [], 300, 340), 400),
                    (lesson("x10", "c1", ["s1"], 300, 340, program: "lecture"), 400),
                    (lesson("x11", "c1", ["s1"], 300, 340, extra: ["startsAt": "tomorrow"]), 400),
                    (lesson("x12", "c1", ["s1"], 300, 340, extra: ["recurrence": ["weekly": ["someday"], "until": "2027-02-01"]]), 400),
                    (lesson("x13", "c1", ["s1"], 300, 340, extra: ["recurrence": ["weekly": ["mon"], "until": "2027-13-01"]]), 400),
                    (lesson("math", "c1", ["s1"], 900, 940), 409),  // duplicate id
                ] {
                    let r = try await api.call(.post, "/api/v1/classes", body)
                    #expect(Int(r.status.code) == code, "\(body["id"]!) → \(r.status) \(r.text)")
                    #expect(r.errorCode != nil)
                }
                #expect(try await api.call(.get, "/api/v1/classes").array.count == 3, "refused creates stored nothing")

                // Weekly recurrence: Mondays and Thursdays 08:00 Asia/Shanghai for three weeks.
                let weekly = try await api.call(
                    .post, "/api/v1/classes",
                    [
                        "id": "weekly", "title": "Chinese", "program": "famous-school", "centralSchoolId": "c2",
                        "startsAt": "2027-01-18T08:00:00+08:00", "endsAt": "2027-01-18T08:40:00+08:00", "siteIds": ["s3"],
                        "recurrence": ["weekly": ["mon", "thu"], "until": "2027-02-04"],
                    ])
                #expect(weekly.status == .created, "\(weekly.text)")
                let clash = try await api.call(
                    .post, "/api/v1/classes",
                    [
                        "id": "clash", "title": "Clash", "program": "famous-school", "centralSchoolId": "c2",
                        "startsAt": "2027-01-28T08:20:00+08:00", "endsAt": "2027-01-28T09:00:00+08:00", "siteIds": ["s1"],
                    ])
                #expect(clash.status == .conflict, "the central school's stream overlaps a Thursday occurrence")
                #expect(clash.errorMessage.contains("2027-01-28T00:00:00Z"), "names the occurrence: \(clash.errorMessage)")

                let week = try await api.call(.get, "/api/v1/timetable?schoolId=s3&from=2027-01-17T00:00:00Z&to=2027-02-10T00:00:00Z")
                #expect(week.status == .ok)
                let starts = week.array.compactMap { $0["startsAt"] as? String }
                #expect(
                    starts == [
                        "2027-01-18T00:00:00Z", "2027-01-21T00:00:00Z", "2027-01-25T00:00:00Z", "2027-01-28T00:00:00Z",
                        "2027-02-01T00:00:00Z", "2027-02-04T00:00:00Z",
                    ])
                let all = try await api.call(.get, "/api/v1/timetable?from=2027-01-15T00:00:00Z&to=2027-01-16T00:00:00Z")
                #expect(all.array.compactMap { $0["classId"] as? String } == ["math", "next", "art"], "time order")
                #expect(try await api.call(.get, "/api/v1/timetable?from=yesterday").status == .badRequest)
                #expect(try await api.call(.get, "/api/v1/timetable?schoolId=ghost").status == .notFound)

                // PATCH re-checks the rules; DELETE; dependent pairings are protected.
                let moved = try await api.call(.patch, "/api/v1/classes/next", ["startsAt": at(base, 500), "endsAt": at(base, 540)])
                #expect(moved.status == .ok, "\(moved.text)")
                #expect(try await api.call(.patch, "/api/v1/classes/next", ["startsAt": at(base, 10), "endsAt": at(base, 20)]).status == .conflict)
                #expect(try await api.call(.patch, "/api/v1/classes/next", ["endsAt": at(base, 400)]).status == .unprocessableContent)
                #expect(try await api.call(.get, "/api/v1/classes/next").object["startsAt"] as? String == moved.object["startsAt"] as? String)
                let live = try await api.call(.get, "/api/v1/classes/math/live")
                #expect(live.status == .ok)
                #expect(live.object["state"] as? String == "scheduled")
                #expect(try await api.call(.delete, "/api/v1/pairings/\(try await pairingID(api, "c1", "s2"))").status == .conflict)
                #expect(try await api.call(.delete, "/api/v1/classes/next").status == .noContent)
                #expect(try await api.call(.get, "/api/v1/classes/next").status == .notFound)
                #expect(try await api.call(.delete, "/api/v1/classes/next").status == .notFound)
            }
        }
    }

    func pairingID(_ api: API, _ central: String, _ site: String) async throws -> String {
        let all = try await api.call(.get, "/api/v1/pairings").array
        return all.first { $0["centralSchoolId"] as? String == central && $0["siteId"] as? String == site }?["id"] as? String ?? "?"
    }
}
