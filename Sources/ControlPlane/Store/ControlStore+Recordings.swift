public import Foundation

/// The recordings catalogue.
extension ControlStore {
    public func insertRecording(_ r: Recording) async throws(StoreError) {
        _ = try await database.execute(
            """
            INSERT INTO recordings (id, class_id, title, program, central_school_id, site_ids, occurrence_starts_at,
                starts_at, ends_at, duration_ms, bytes, state, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(r.id), .text(r.classId), .text(r.title), .text(r.program.rawValue), .text(r.centralSchoolId),
                .text(r.siteIds.joined(separator: ",")), .int(Self.millis(r.occurrenceStartsAt)), .int(Self.millis(r.startsAt)),
                r.endsAt.map { .int(Self.millis($0)) } ?? .null, .int(r.durationMillis), .int(r.bytes), .text(r.state.rawValue),
                .text(r.file),
            ]
        )
    }

    /// Writes a recording's progress, and its end when `state` is not `recording`.
    public func updateRecording(id: String, state: Recording.State, endsAt: Date?, durationMillis: Int64, bytes: Int64) async throws(StoreError) {
        _ = try await database.execute(
            "UPDATE recordings SET state = ?, ends_at = ?, duration_ms = ?, bytes = ? WHERE id = ?",
            [.text(state.rawValue), endsAt.map { .int(Self.millis($0)) } ?? .null, .int(durationMillis), .int(bytes), .text(id)]
        )
    }

    /// A running recording's progress; a no-op once it has ended (a late write never undoes its end).
    public func updateRecordingProgress(id: String, durationMillis: Int64, bytes: Int64) async throws(StoreError) {
        _ = try await database.execute(
            "UPDATE recordings SET duration_ms = ?, bytes = ? WHERE id = ? AND state = ?",
            [.int(durationMillis), .int(bytes), .text(id), .text(Recording.State.recording.rawValue)]
        )
    }

    public func deleteRecording(id: String) async throws(StoreError) {
        _ = try await database.execute("DELETE FROM recordings WHERE id = ?", [.text(id)])
    }

    public func recording(id: String) async throws(StoreError) -> Recording? {
        try await database.execute("SELECT * FROM recordings WHERE id = ?", [.text(id)]).first.flatMap(Self.recording)
    }

    /// Recordings in time order (oldest first), of one class or all, started in [from, to).
    public func recordings(classId: String? = nil, from: Date? = nil, to: Date? = nil, state: Recording.State? = nil) async throws(StoreError)
        -> [Recording]
    {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let classId {
            conditions.append("class_id = ?")
            binds.append(.text(classId))
        }
        if let from {
            conditions.append("starts_at >= ?")
            binds.append(.int(Self.millis(from)))
        }
        if let to {
            conditions.append("starts_at < ?")
            binds.append(.int(Self.millis(to)))
        }
        if let state {
            conditions.append("state = ?")
            binds.append(.text(state.rawValue))
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try await database.execute("SELECT * FROM recordings\(filter) ORDER BY starts_at, id", binds).compactMap(Self.recording)
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    static func recording(_ row: SQLRow) -> Recording? {
        guard let id = row["id"]?.string, let classId = row["class_id"]?.string, let title = row["title"]?.string,
            let program = row["program"]?.string.flatMap(Program.init(rawValue:)),
            let central = row["central_school_id"]?.string, let sites = row["site_ids"]?.string,
            let occurrence = row["occurrence_starts_at"]?.int, let starts = row["starts_at"]?.int,
            let duration = row["duration_ms"]?.int, let bytes = row["bytes"]?.int,
            let state = row["state"]?.string.flatMap(Recording.State.init(rawValue:)), let file = row["file"]?.string
        else { return nil }
        func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
        return Recording(
            id: id, classId: classId, title: title, program: program, centralSchoolId: central,
            siteIds: sites.split(separator: ",").map(String.init), occurrenceStartsAt: date(occurrence), startsAt: date(starts),
            endsAt: row["ends_at"]?.int.map(date), durationMillis: duration, bytes: bytes, state: state, file: file
        )
    }
}
