import ControlPlane
import Foundation
import Testing

/// The `record` field of classes and the recordings catalogue, on SQLite and on PostgreSQL.
@Suite(.serialized)
struct RecordingCatalogueTests {
    @Test(arguments: StoreKind.allCases)
    func recordDefaultsByProgramAndCanBeSet(kind: StoreKind) async throws {
        try await withStore(kind) { service in
            try await withLiveAPI(service) { api in
                for (id, role) in [("c1", "central"), ("c2", "central"), ("s1", "site")] {
                    var body: [String: Any] = ["id": id, "name": id, "role": role]
                    if role == "site" { body["bandwidthKbps"] = 4000 }
                    #expect(try await api.call(.post, "/api/v1/schools", body).status == .created)
                }
                for (c, program) in [("c1", "famous-school"), ("c2", "dedicated")] {
                    #expect(
                        try await api.call(.post, "/api/v1/pairings", ["centralSchoolId": c, "siteId": "s1", "program": program]).status == .created)
                }
                func lesson(_ id: String, _ central: String, _ program: String, _ hour: Double, record: Bool? = nil) -> [String: Any] {
                    var body: [String: Any] = [
                        "id": id, "title": id, "program": program, "centralSchoolId": central, "siteIds": ["s1"],
                        "startsAt": rfc3339(hour * 3600), "endsAt": rfc3339(hour * 3600 + 2700),
                    ]
                    if let record { body["record"] = record }
                    return body
                }
                let famous = try await api.call(.post, "/api/v1/classes", lesson("fam", "c1", "famous-school", 0))
                #expect(famous.object["record"] as? Bool == true, "\(famous.text)")
                let plain = try await api.call(.post, "/api/v1/classes", lesson("plain", "c2", "dedicated", 1))
                #expect(plain.object["record"] as? Bool == false, "\(plain.text)")
                let asked = try await api.call(.post, "/api/v1/classes", lesson("asked", "c2", "dedicated", 2, record: true))
                #expect(asked.object["record"] as? Bool == true)
                var bad = lesson("bad", "c2", "dedicated", 3)
                bad["record"] = "yes"
                #expect(try await api.call(.post, "/api/v1/classes", bad).status == .badRequest)

                // PATCH: absent keeps, a value sets, null goes back to the program's default.
                #expect(try await api.call(.patch, "/api/v1/classes/fam", ["title": "名校"]).object["record"] as? Bool == true)
                #expect(try await api.call(.patch, "/api/v1/classes/fam", ["record": false]).object["record"] as? Bool == false)
                #expect(try await api.call(.get, "/api/v1/classes/fam").object["record"] as? Bool == false, "stored")
                #expect(try await api.call(.patch, "/api/v1/classes/fam", ["record": NSNull()]).object["record"] as? Bool == true)
                let timetable = try await api.call(.get, "/api/v1/timetable?from=\(rfc3339(-3600))&to=\(rfc3339(5 * 3600))")
                #expect(timetable.array.map { $0["record"] as? Bool } == [true, false, true], "\(timetable.text)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func catalogueRoundTrip(kind: StoreKind) async throws {
        try await withStore(kind) { service in
            let store = service.store
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            func make(_ id: String, _ classId: String, minutes: Double) -> Recording {
                Recording(
                    id: id, classId: classId, title: "名校 \(id)", program: .famousSchool, centralSchoolId: "c1", siteIds: ["s1", "s2"],
                    occurrenceStartsAt: base.addingTimeInterval(minutes * 60), startsAt: base.addingTimeInterval(minutes * 60 + 5),
                    file: "\(id).mp4"
                )
            }
            try await store.insertRecording(make("r2", "b", minutes: 60))
            try await store.insertRecording(make("r1", "a", minutes: 0))
            try await store.insertRecording(make("r3", "a", minutes: 120))
            await #expect(throws: StoreError.self) { try await store.insertRecording(make("r1", "a", minutes: 5)) }

            #expect(try await store.recordings().map(\.id) == ["r1", "r2", "r3"], "time order")
            #expect(try await store.recordings(classId: "a").map(\.id) == ["r1", "r3"])
            #expect(try await store.recordings(from: base.addingTimeInterval(3600), to: base.addingTimeInterval(7200)).map(\.id) == ["r2"])
            #expect(try await store.recordings(state: .recording).count == 3)

            let ends = base.addingTimeInterval(2700)
            try await store.updateRecording(id: "r1", state: .complete, endsAt: ends, durationMillis: 2_695_000, bytes: 123_456_789)
            let r1 = try #require(try await store.recording(id: "r1"))
            #expect(r1.state == .complete && r1.durationMillis == 2_695_000 && r1.bytes == 123_456_789)
            #expect(r1.endsAt == ends && r1.siteIds == ["s1", "s2"] && r1.program == .famousSchool && r1.title == "名校 r1")
            #expect(r1.startsAt == base.addingTimeInterval(5) && r1.occurrenceStartsAt == base)
            #expect(try await store.recordings(state: .recording).map(\.id) == ["r2", "r3"])
            try await store.updateRecordingProgress(id: "r3", durationMillis: 5000, bytes: 99)
            try await store.updateRecordingProgress(id: "r1", durationMillis: 1, bytes: 1)
            #expect(try await store.recording(id: "r3")?.bytes == 99)
            #expect(try await store.recording(id: "r1")?.bytes == 123_456_789, "progress never overwrites an ended recording")

            try await store.deleteRecording(id: "r2")
            #expect(try await store.recording(id: "r2") == nil)
            #expect(try await store.recordings().map(\.id) == ["r1", "r3"])
        }
    }

    private func rfc3339(_ seconds: Double) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: 1_800_000_000 + seconds))
    }
}
