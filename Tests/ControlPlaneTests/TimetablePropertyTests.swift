import ControlPlane
import RelayTestSupport
import Foundation
import Testing

/// Random valid and invalid timetables: whatever is thrown at it, the store never holds two
/// overlapping occurrences for one site or one central school, and it refuses exactly the
/// creates that would overlap.
@Suite(.serialized)
struct TimetablePropertyTests {
    @Test(arguments: StoreKind.allCases)
    func theStoreNeverAcceptsAnOverlap(kind: StoreKind) async throws {
        try await withStore(kind) { service in
            func body(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }
            for c in ["c1", "c2"] { _ = try await service.createSchool(try body(["id": c, "name": c, "role": "central"])) }
            for s in ["s1", "s2", "s3", "s4"] {
                _ = try await service.createSchool(try body(["id": s, "name": s, "role": "site", "bandwidthKbps": 3000]))
                for c in ["c1", "c2"] {
                    _ = try await service.createPairing(try body(["centralSchoolId": c, "siteId": s, "program": "dedicated"]))
                }
            }
            var rng = SeededGenerator(seed: kind == .sqlite ? 42 : 7)
            let base = Date(timeIntervalSince1970: 1_800_000_000)
            let expansion = service.expansion
            let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            var accepted = 0
            var refused = 0
            for i in 0..<120 {
                let startMinute = Double(Int.random(in: 0..<(14 * 24 * 4), using: &rng)) * 15
                let length = Double(Int.random(in: -1...6, using: &rng)) * 15  // sometimes empty or negative
                let sites = ["s1", "s2", "s3", "s4"].filter { _ in Bool.random(using: &rng) }
                var object: [String: Any] = [
                    "id": "k\(i)", "title": "Class \(i)", "program": "dedicated",
                    "centralSchoolId": Bool.random(using: &rng) ? "c1" : "c2",
                    "startsAt": at(base, startMinute), "endsAt": at(base, startMinute + length), "siteIds": sites,
                ]
                if Int.random(in: 0..<4, using: &rng) == 0 {
                    object["recurrence"] = ["weekly": [days.randomElement(using: &rng)!], "until": "2027-02-10"]
                }
                let existing = try await service.classes()
                let candidate = try? await service.classSchedule("never")  // keeps the API shape honest
                _ = candidate
                do {
                    let created = try await service.createClass(try body(object))
                    accepted += 1
                    // It must not overlap anything that shares its central school or a site.
                    for other in existing where other.centralSchoolId == created.centralSchoolId
                        || !Set(other.siteIds).isDisjoint(with: created.siteIds)
                    {
                        #expect(expansion.firstOverlap(created, other) == nil, "accepted \(created.id) overlapping \(other.id)")
                    }
                } catch let error as APIError {
                    refused += 1
                    if error.status == .conflict {
                        // A refusal for overlap must name a real overlap.
                        #expect(error.message.contains("overlaps"))
                    } else {
                        #expect([400, 422].contains(Int(error.status.code)), "\(error)")
                    }
                }
            }
            #expect(accepted > 10 && refused > 10, "the random timetable exercised both paths (\(accepted)/\(refused))")

            // The final state, checked pairwise.
            let all = try await service.classes()
            for (i, a) in all.enumerated() {
                for b in all[(i + 1)...] where a.centralSchoolId == b.centralSchoolId || !Set(a.siteIds).isDisjoint(with: b.siteIds) {
                    #expect(expansion.firstOverlap(a, b) == nil, "\(a.id) overlaps \(b.id)")
                }
            }
        }
    }
}
