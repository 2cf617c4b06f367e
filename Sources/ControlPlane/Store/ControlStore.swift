import Foundation

/// Schools, pairings and classes, stored. One implementation over any ``SQLDatabase``
/// (SQLite embedded, or PostgreSQL), so both behave the same.
public final class ControlStore: Sendable {
    private let base: any SQLDatabase
    /// The transaction this task is in (``transaction(_:)``), where its statements go.
    @TaskLocal static var current: (any SQLDatabase)?

    /// Where a statement goes now: the task's transaction, or the database.
    public var database: any SQLDatabase { Self.current ?? base }

    public init(database: any SQLDatabase) {
        self.base = database
    }

    /// Runs `body` as one transaction: every call of this store inside it (in this task and its
    /// child tasks) goes to the transaction; commits when `body` returns, rolls back when it throws.
    public func transaction<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if Self.current != nil { return try await body() }
        return try await base.withTransaction { transaction in
            try await Self.$current.withValue(transaction) { try await body() }
        }
    }

    public func migrate() async throws(StoreError) {
        try await Migrations.run(on: database)
    }

    private var nowMillis: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    // MARK: Schools

    public func insertSchool(_ s: School) async throws(StoreError) {
        _ = try await database.execute(
            "INSERT INTO schools (id, name, role, bandwidth_kbps, region, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.text(s.id), .text(s.name), .text(s.role.rawValue), SQLValue(s.bandwidthKbps), SQLValue(s.region), .text(s.keyHash), .int(nowMillis)]
        )
    }

    public func updateSchool(_ s: School) async throws(StoreError) {
        _ = try await database.execute(
            "UPDATE schools SET name = ?, bandwidth_kbps = ?, region = ?, key_hash = ? WHERE id = ?",
            [.text(s.name), SQLValue(s.bandwidthKbps), SQLValue(s.region), .text(s.keyHash), .text(s.id)]
        )
    }

    public func deleteSchool(id: String) async throws(StoreError) {
        _ = try await database.execute("DELETE FROM schools WHERE id = ?", [.text(id)])
    }

    public func school(id: String) async throws(StoreError) -> School? {
        try await database.execute("SELECT * FROM schools WHERE id = ?", [.text(id)]).first.flatMap(Self.school)
    }

    public func school(keyHash: String) async throws(StoreError) -> School? {
        try await database.execute("SELECT * FROM schools WHERE key_hash = ?", [.text(keyHash)]).first.flatMap(Self.school)
    }

    public func schools() async throws(StoreError) -> [School] {
        try await database.execute("SELECT * FROM schools ORDER BY id", []).compactMap(Self.school)
    }

    static func school(_ row: SQLRow) -> School? {
        guard let id = row["id"]?.string, let name = row["name"]?.string,
            let role = row["role"]?.string.flatMap(SchoolRole.init(rawValue:)), let hash = row["key_hash"]?.string
        else { return nil }
        return School(
            id: id, name: name, role: role, bandwidthKbps: row["bandwidth_kbps"]?.int.map { Int($0) },
            region: row["region"]?.string, keyHash: hash
        )
    }

    // MARK: Pairings

    public func insertPairing(_ p: Pairing) async throws(StoreError) {
        _ = try await database.execute(
            "INSERT INTO pairings (id, central_school_id, site_id, program) VALUES (?, ?, ?, ?)",
            [.text(p.id), .text(p.centralSchoolId), .text(p.siteId), .text(p.program.rawValue)]
        )
    }

    public func deletePairing(id: String) async throws(StoreError) {
        _ = try await database.execute("DELETE FROM pairings WHERE id = ?", [.text(id)])
    }

    public func pairings() async throws(StoreError) -> [Pairing] {
        try await database.execute("SELECT * FROM pairings ORDER BY id", []).compactMap(Self.pairing)
    }

    public func pairing(id: String) async throws(StoreError) -> Pairing? {
        try await database.execute("SELECT * FROM pairings WHERE id = ?", [.text(id)]).first.flatMap(Self.pairing)
    }

    static func pairing(_ row: SQLRow) -> Pairing? {
        guard let id = row["id"]?.string, let c = row["central_school_id"]?.string, let s = row["site_id"]?.string,
            let program = row["program"]?.string.flatMap(Program.init(rawValue:))
        else { return nil }
        return Pairing(id: id, centralSchoolId: c, siteId: s, program: program)
    }

    // MARK: Classes

    public func insertClass(_ c: ClassSchedule) async throws(StoreError) {
        _ = try await database.execute(
            """
            INSERT INTO classes (id, title, program, central_school_id, teacher, subject, starts_at, ends_at, site_ids,
                recurrence_days, recurrence_until, record, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(c.id)] + Self.classValues(c) + [.int(nowMillis)]
        )
    }

    public func updateClass(_ c: ClassSchedule) async throws(StoreError) {
        _ = try await database.execute(
            """
            UPDATE classes SET title = ?, program = ?, central_school_id = ?, teacher = ?, subject = ?, starts_at = ?,
                ends_at = ?, site_ids = ?, recurrence_days = ?, recurrence_until = ?, record = ? WHERE id = ?
            """,
            Self.classValues(c) + [.text(c.id)]
        )
    }

    public func deleteClass(id: String) async throws(StoreError) {
        _ = try await database.execute("DELETE FROM classes WHERE id = ?", [.text(id)])
    }

    public func classSchedule(id: String) async throws(StoreError) -> ClassSchedule? {
        try await database.execute("SELECT * FROM classes WHERE id = ?", [.text(id)]).first.flatMap(Self.classSchedule)
    }

    public func classes() async throws(StoreError) -> [ClassSchedule] {
        try await database.execute("SELECT * FROM classes ORDER BY starts_at, id", []).compactMap(Self.classSchedule)
    }

    private static func classValues(_ c: ClassSchedule) -> [SQLValue] {
        [
            .text(c.title), .text(c.program.rawValue), .text(c.centralSchoolId), SQLValue(c.teacher), SQLValue(c.subject),
            .int(Int64((c.startsAt.timeIntervalSince1970 * 1000).rounded())),
            .int(Int64((c.endsAt.timeIntervalSince1970 * 1000).rounded())),
            .text(c.siteIds.joined(separator: ",")),
            SQLValue(c.recurrence.map { $0.weekly.map(\.rawValue).joined(separator: ",") }),
            SQLValue(c.recurrence?.until),
            .int(c.record ? 1 : 0),
        ]
    }

    static func classSchedule(_ row: SQLRow) -> ClassSchedule? {
        guard let id = row["id"]?.string, let title = row["title"]?.string,
            let program = row["program"]?.string.flatMap(Program.init(rawValue:)),
            let central = row["central_school_id"]?.string, let starts = row["starts_at"]?.int,
            let ends = row["ends_at"]?.int, let sites = row["site_ids"]?.string
        else { return nil }
        var recurrence: Recurrence?
        if let days = row["recurrence_days"]?.string, let until = row["recurrence_until"]?.string {
            recurrence = Recurrence(weekly: days.split(separator: ",").compactMap { Weekday(rawValue: String($0)) }, until: until)
        }
        return ClassSchedule(
            id: id, title: title, program: program, centralSchoolId: central, teacher: row["teacher"]?.string,
            subject: row["subject"]?.string, startsAt: Date(timeIntervalSince1970: Double(starts) / 1000),
            endsAt: Date(timeIntervalSince1970: Double(ends) / 1000),
            siteIds: sites.split(separator: ",").map(String.init), recurrence: recurrence,
            record: row["record"]?.int.map { $0 != 0 }  // null: a class stored before the column: the program's default
        )
    }
}
