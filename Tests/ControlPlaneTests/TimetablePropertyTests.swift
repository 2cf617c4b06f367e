import ControlPlane
import Foundation
import RelayTestSupport
import Testing

/// Random valid and invalid timetables: whatever is thrown at it, the store never holds two
/// overlapping occurrences for one site or one central school, and it refuses exactly the
/// creates that would overlap; also with two nodes (two services, two connection pools, one
/// PostgreSQL) creating at the same moment.
@Suite(.serialized)
struct TimetablePropertyTests {
    static func body(_ object: [String: Any]) throws -> Data { try JSONSerialization.data(withJSONObject: object) }

    /// Two central schools, four sites, every pairing.
    static func makeSchools(_ service: ControlPlaneService) async throws {
        for c in ["c1", "c2"] { _ = try await service.createSchool(try body(["id": c, "name": c, "role": "central"])) }
        for s in ["s1", "s2", "s3", "s4"] {
            _ = try await service.createSchool(try body(["id": s, "name": s, "role": "site", "bandwidthKbps": 3000]))
            for c in ["c1", "c2"] {
                _ = try await service.createPairing(try body(["centralSchoolId": c, "siteId": s, "program": "dedicated"]))
            }
        }
    }

    /// A random class `id` over two weeks: sometimes empty or backwards, sometimes weekly.
    static func randomClass(_ id: String, using rng: inout SeededGenerator) -> [String: Any] {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let startMinute = Double(Int.random(in: 0..<(14 * 24 * 4), using: &rng)) * 15
        let length = Double(Int.random(in: -1...6, using: &rng)) * 15
        let sites = ["s1", "s2", "s3", "s4"].filter { _ in Bool.random(using: &rng) }
        var object: [String: Any] = [
            "id": id, "title": "Class \(id)", "program": "dedicated",
            "centralSchoolId": Bool.random(using: &rng) ? "c1" : "c2",
            "startsAt": at(base, startMinute), "endsAt": at(base, startMinute + length), "siteIds": sites,
        ]
        if Int.random(in: 0..<4, using: &rng) == 0 {
            object["recurrence"] = ["weekly": [days.randomElement(using: &rng)!], "until": "2027-02-10"]
        }
        return object
    }

    /// Creates one class; true when stored. A refusal for overlap must name one; others are 400/422.
    static func create(_ object: [String: Any], on service: ControlPlaneService) async throws -> Bool {
        await create(try body(object), on: service)
    }

    static func create(_ data: Data, on service: ControlPlaneService) async -> Bool {
        let error: ControlPlaneError
        do {
            _ = try await service.createClass(data)
            return true
        } catch let refused {
            error = refused
        }
        if error.kind == .conflict {
            #expect(error.message.contains("overlaps"), "\(error)")
        } else {
            #expect([.badRequest, .unprocessableContent].contains(error.kind), "\(error)")
        }
        return false
    }

    /// No two stored classes sharing a central school or a site overlap.
    static func expectNoOverlap(_ service: ControlPlaneService) async throws {
        let all = try await service.classes()
        for (i, a) in all.enumerated() {
            for b in all[(i + 1)...] where a.centralSchoolId == b.centralSchoolId || !Set(a.siteIds).isDisjoint(with: b.siteIds) {
                #expect(service.expansion.firstOverlap(a, b) == nil, "\(a.id) overlaps \(b.id)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theStoreNeverAcceptsAnOverlap(kind: StoreKind) async throws {
        try await withStore(kind) { service in
            try await Self.makeSchools(service)
            var rng = SeededGenerator(seed: kind == .sqlite ? 42 : 7)
            var accepted = 0
            var refused = 0
            for i in 0..<120 {
                let object = Self.randomClass("k\(i)", using: &rng)
                let existing = try await service.classes()
                if try await Self.create(object, on: service) {
                    accepted += 1
                    // It must not overlap anything that shares its central school or a site.
                    let created = try #require(try await service.classes().first { $0.id == "k\(i)" })
                    for other in existing
                    where other.centralSchoolId == created.centralSchoolId
                        || !Set(other.siteIds).isDisjoint(with: created.siteIds)
                    {
                        #expect(service.expansion.firstOverlap(created, other) == nil, "accepted \(created.id) overlapping \(other.id)")
                    }
                } else {
                    refused += 1
                }
            }
            #expect(accepted > 10 && refused > 10, "the random timetable exercised both paths (\(accepted)/\(refused))")
            try await Self.expectNoOverlap(service)
        }
    }

    /// Two nodes on one PostgreSQL, each creating a random class at the same moment, 150 times:
    /// whatever each node's own process believed, what is stored never overlaps, and both nodes
    /// read the same classes.
    @Test func twoNodesCreatingAtOnceNeverStoreAnOverlap() async throws {
        try await withTwoNodes { a, b in
            try await Self.makeSchools(a)
            var rng = SeededGenerator(seed: 2026)
            var accepted = 0
            var refused = 0
            for i in 0..<150 {
                let fromA = try Self.body(Self.randomClass("a\(i)", using: &rng))
                let fromB = try Self.body(Self.randomClass("b\(i)", using: &rng))
                async let storedA = Self.create(fromA, on: a)
                async let storedB = Self.create(fromB, on: b)
                for stored in [await storedA, await storedB] {
                    if stored { accepted += 1 } else { refused += 1 }
                }
            }
            #expect(accepted > 10 && refused > 10, "both paths exercised (\(accepted)/\(refused))")
            try await Self.expectNoOverlap(a)
            let (onA, onB) = (try await a.classes().map(\.id).sorted(), try await b.classes().map(\.id).sorted())
            #expect(onA == onB && onA.count == accepted, "one store: \(onA.count) vs \(onB.count), \(accepted) accepted")
        }
    }
}
