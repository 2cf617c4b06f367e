import Foundation

/// A field that may be absent, explicitly null, or set (for PATCH).
enum Patch<T: Decodable & Sendable>: Sendable {
    case absent
    case null
    case value(T)

    var value: T? {
        if case .value(let v) = self { return v }
        return nil
    }
}

extension KeyedDecodingContainer {
    func decodePatch<T: Decodable & Sendable>(_ type: T.Type, forKey key: Key) throws -> Patch<T> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(T.self, forKey: key))
    }
}

struct SchoolInput: Decodable, Sendable {
    var id: Patch<String>
    var name: Patch<String>
    var role: Patch<SchoolRole>
    var bandwidthKbps: Patch<Int>
    var region: Patch<String>

    enum CodingKeys: String, CodingKey { case id, name, role, bandwidthKbps, region }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodePatch(String.self, forKey: .id)
        name = try c.decodePatch(String.self, forKey: .name)
        role = try c.decodePatch(SchoolRole.self, forKey: .role)
        bandwidthKbps = try c.decodePatch(Int.self, forKey: .bandwidthKbps)
        region = try c.decodePatch(String.self, forKey: .region)
    }
}

struct PairingInput: Decodable, Sendable {
    var id: String?
    var centralSchoolId: String?
    var siteId: String?
    var program: Program?
}

struct RecurrenceInput: Decodable, Sendable {
    var weekly: [Weekday]?
    var until: String?
}

struct ClassInput: Decodable, Sendable {
    var id: Patch<String>
    var title: Patch<String>
    var program: Patch<Program>
    var centralSchoolId: Patch<String>
    var teacher: Patch<String>
    var subject: Patch<String>
    var startsAt: Patch<String>
    var endsAt: Patch<String>
    var siteIds: Patch<[String]>
    var recurrence: Patch<RecurrenceInput>
    var record: Patch<Bool>

    enum CodingKeys: String, CodingKey {
        case id, title, program, centralSchoolId, teacher, subject, startsAt, endsAt, siteIds, recurrence, record
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodePatch(String.self, forKey: .id)
        title = try c.decodePatch(String.self, forKey: .title)
        program = try c.decodePatch(Program.self, forKey: .program)
        centralSchoolId = try c.decodePatch(String.self, forKey: .centralSchoolId)
        teacher = try c.decodePatch(String.self, forKey: .teacher)
        subject = try c.decodePatch(String.self, forKey: .subject)
        startsAt = try c.decodePatch(String.self, forKey: .startsAt)
        endsAt = try c.decodePatch(String.self, forKey: .endsAt)
        siteIds = try c.decodePatch([String].self, forKey: .siteIds)
        recurrence = try c.decodePatch(RecurrenceInput.self, forKey: .recurrence)
        record = try c.decodePatch(Bool.self, forKey: .record)
    }
}
