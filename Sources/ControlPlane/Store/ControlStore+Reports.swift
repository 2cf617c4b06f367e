public import Foundation

/// The reports' facts (`report_sessions`): sessions as they happen, written by the node that
/// served them.
extension ControlStore {
    /// Inserts each session or updates what it has become (one transaction: one sync for all).
    public func writeSessions(_ facts: [SessionFact]) async throws {
        guard !facts.isEmpty else { return }
        try await transaction {
            for fact in facts {
                _ = try await self.database.execute(
                    """
                    INSERT INTO report_sessions (id, node_id, kind, class_id, occurrence_starts_at, site_id, protocol, started_at,
                        last_seen_at, ended, bytes, stalls, renditions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET last_seen_at = excluded.last_seen_at, ended = excluded.ended,
                        bytes = excluded.bytes, stalls = excluded.stalls, renditions = excluded.renditions
                    """,
                    [
                        .text(fact.id), .text(fact.nodeId), .text(fact.kind.rawValue), .text(fact.classId),
                        .int(Self.millis(fact.occurrenceStartsAt)), SQLValue(fact.siteId), .text(fact.transport),
                        .int(Self.millis(fact.startedAt)), .int(Self.millis(fact.lastSeenAt)), .int(fact.ended ? 1 : 0),
                        .int(fact.bytes), .int(fact.stalls), .text(fact.renditionsText),
                    ]
                )
            }
        }
    }

    /// Marks what this node left open (it was killed) as ended where it was last written.
    @discardableResult
    public func endOpenSessions(nodeId: String) async throws(StoreError) -> Int {
        let open = try await database.execute(
            "SELECT id FROM report_sessions WHERE node_id = ? AND ended = 0", [.text(nodeId)]
        ).count
        if open > 0 {
            _ = try await database.execute("UPDATE report_sessions SET ended = 1 WHERE node_id = ? AND ended = 0", [.text(nodeId)])
        }
        return open
    }

    /// Every session of the occurrences that started in [from, to] (of those classes only, when given).
    public func sessions(occurrencesFrom from: Date, to: Date, classIds: [String]? = nil) async throws(StoreError) -> [SessionFact] {
        var sql = """
            SELECT id, node_id, kind, class_id, occurrence_starts_at, site_id, protocol, started_at, last_seen_at, ended, bytes, stalls,
                renditions FROM report_sessions WHERE occurrence_starts_at >= ? AND occurrence_starts_at <= ?
            """
        var binds: [SQLValue] = [.int(Self.millis(from)), .int(Self.millis(to))]
        if let classIds {
            guard !classIds.isEmpty else { return [] }
            sql += " AND class_id IN (" + Array(repeating: "?", count: classIds.count).joined(separator: ", ") + ")"
            binds += classIds.map { .text($0) }
        }
        return try await database.execute(sql, binds).compactMap(Self.sessionFact)
    }

    /// Removes sessions last seen before `date` (retention); returns how many.
    @discardableResult
    public func deleteSessions(lastSeenBefore date: Date) async throws(StoreError) -> Int {
        let old =
            try await database.execute(
                "SELECT COUNT(*) AS n FROM report_sessions WHERE last_seen_at < ?", [.int(Self.millis(date))]
            ).first?["n"]?.int ?? 0
        if old > 0 {
            _ = try await database.execute("DELETE FROM report_sessions WHERE last_seen_at < ?", [.int(Self.millis(date))])
        }
        return Int(old)
    }

    static func sessionFact(_ row: SQLRow) -> SessionFact? {
        guard let id = row["id"]?.string, let node = row["node_id"]?.string,
            let kind = row["kind"]?.string.flatMap(SessionFact.Kind.init(rawValue:)), let classId = row["class_id"]?.string,
            let occurrence = row["occurrence_starts_at"]?.int, let transport = row["protocol"]?.string,
            let started = row["started_at"]?.int, let lastSeen = row["last_seen_at"]?.int
        else { return nil }
        func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
        return SessionFact(
            id: id, nodeId: node, kind: kind, classId: classId, occurrenceStartsAt: date(occurrence), siteId: row["site_id"]?.string,
            transport: transport, startedAt: date(started), lastSeenAt: date(lastSeen), ended: (row["ended"]?.int ?? 0) != 0,
            bytes: row["bytes"]?.int ?? 0, stalls: row["stalls"]?.int ?? 0,
            renditionMillis: SessionFact.renditions(from: row["renditions"]?.string ?? "")
        )
    }
}
